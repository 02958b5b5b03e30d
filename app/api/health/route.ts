import { checkHealth } from "@/lib/health";

export const dynamic = "force-dynamic";

/** For load balancers and the test runner: 200 when the database and storage answer. */
export async function GET() {
  const health = await checkHealth();
  return Response.json(health, { status: health.ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
