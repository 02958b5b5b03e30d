/**
 * The app process is killed (SIGKILL: no shutdown hook runs) while photos are
 * being processed, then started again and one sweeper run is made. Every photo
 * the person finished uploading must end READY with all its objects; nothing is
 * left behind.
 */
import sharp from "sharp";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startAppServer, type AppServer } from "../security/support/app-server";
import { HttpSession, readActionIds } from "../security/support/http-session";
import { fakeIp, newAccount, uploadOverHttp, waitUntilSettled, type ActionIds } from "../security/support/http-flows";
import { startWorld, WORLD_DIST_DIR, type World } from "../security/support/world";

let world: World;
let app: AppServer | undefined;
let ids: ActionIds;
let lib: {
  invariants: typeof import("./support/invariants");
  db: typeof import("@/lib/db").db;
};

// One image at a time, so several wait in the queue when the process dies.
const APP_ENV = { PROCESSING_CONCURRENCY: "1" };

beforeAll(async () => {
  world = await startWorld({ name: "faults-crash" });
  Object.assign(process.env, world.env);
  lib = { invariants: await import("./support/invariants"), db: (await import("@/lib/db")).db };
  app = await startAppServer({ port: world.appPort, distDir: WORLD_DIST_DIR, appUrl: world.appUrl, env: { ...world.env, ...APP_ENV } });
  ids = readActionIds(WORLD_DIST_DIR);
}, 900_000);

afterAll(async () => {
  await app?.stop();
  await lib?.db.$disconnect();
  await world?.stop();
});

it("SIGKILL while photos are PROCESSING: after a restart and one sweeper run every completed upload is READY and intact", async () => {
  const session = new HttpSession(app!.url, fakeIp());
  expect((await session.signUp(newAccount("crash"))).status).toBe(200);

  // Big enough (24 MP) that each takes a second or more to process.
  const photos = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      sharp({ create: { width: 6000, height: 4000, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 120 + i, sigma: 40 } } })
        .jpeg({ quality: 85 })
        .toBuffer(),
    ),
  );
  const completed: string[] = [];
  for (const [i, body] of photos.entries()) {
    const outcome = await uploadOverHttp(session, ids, { name: `crash-${i}.jpg`, type: "image/jpeg", body });
    expect(outcome.status).toBe("PROCESSING");
    completed.push(outcome.photoId);
  }

  // Kill it while work is queued or running.
  const processing = await lib.db.photo.count({ where: { id: { in: completed }, status: "PROCESSING" } });
  expect(processing, "the crash must hit photos in processing").toBeGreaterThan(0);
  const rssBefore = app!.rssBytes();
  await app!.crash();
  expect(rssBefore).toBeGreaterThan(0);
  await expect(fetch(`${app!.url}/api/health`)).rejects.toThrow();
  const stuck = await lib.db.photo.count({ where: { id: { in: completed }, status: "PROCESSING" } });

  // Back up on the same build: the person's photos are listed as still processing, none failed.
  app = await startAppServer({ port: world.appPort, distDir: WORLD_DIST_DIR, appUrl: world.appUrl, env: { ...world.env, ...APP_ENV }, reuseBuild: true });
  const again = new HttpSession(app.url, session.forwardedFor);
  for (const [name, value] of session.cookies) again.cookies.set(name, value);
  const statuses = (await (await again.request(`/api/uploads/status?ids=${completed.join(",")}`)).json()) as { statuses: { status: string }[] };
  expect(statuses.statuses.filter((s) => s.status === "PROCESSING").length).toBe(stuck);
  expect(statuses.statuses.some((s) => s.status === "FAILED")).toBe(false);

  // Before anything repairs: the photos finished before the crash are intact, and the stuck ones
  // are all there is for the sweeper to do.
  const stuckAfter = new Date(Date.now() + 11 * 60_000);
  expect(await lib.invariants.expectNothingLost()).toBe(completed.length - stuck);
  await lib.invariants.expectSweepFinds({ staleProcessing: stuck }, stuckAfter);
  // One sweeper run, dated after processing counts as stuck (10 minutes), finishes them.
  const report = await lib.invariants.runSweeper(stuckAfter);
  expect(report.staleProcessing).toBe(stuck);
  const settled = await waitUntilSettled(again, completed);
  expect(settled.map((s) => s.status)).toEqual(completed.map(() => "READY"));

  await lib.invariants.expectRecoveredCleanly(completed.length);
}, 600_000);
