import type { z } from "zod";

/**
 * What a malformed server-action call is told. First, the request, checked before Next decodes it. Next answers a body that is
 * not JSON, a JSON value that is not the argument list, or one over its size limit with a
 * 500 and a logged stack, before our action (and its ActionResult) ever runs: proxy.ts
 * answers those here instead, with the ActionResult shape and a 400 or 413. No page of
 * ours sends such a request; a script poking at the API gets a sentence, not a crash.
 * Then, arguments Next decoded that do not fit the action's schema (invalidInputMessage).
 */

export const MALFORMED_ACTION_MESSAGE = "This request is not in the form the app sends. Please reload the page and try again.";

/** next.config.js serverActions.bodySizeLimit ("1mb"): what Next itself refuses. */
export const ACTION_BODY_LIMIT_BYTES = 1024 * 1024;

const refuse = (status: 400 | 413, code: "invalid_input" | "payload_too_large", message: string) =>
  Response.json({ ok: false, error: { code, message } }, { status });

/** A response refusing the request, or undefined when it is no action call or one Next can decode. */
export async function refuseMalformedAction(request: Request): Promise<Response | undefined> {
  if (request.method !== "POST" || !request.headers.has("next-action")) return undefined;
  const tooBig = () => refuse(413, "payload_too_large", "This request is too large for the app to read.");
  if (Number(request.headers.get("content-length") ?? 0) > ACTION_BODY_LIMIT_BYTES) return tooBig();
  // Form actions (useActionState with FormData) arrive as multipart; Next decodes those itself.
  if (!(request.headers.get("content-type") ?? "").startsWith("text/plain")) return undefined;
  const body = await request.clone().arrayBuffer();
  if (body.byteLength > ACTION_BODY_LIMIT_BYTES) return tooBig();
  try {
    // React sends an action's arguments as one JSON array.
    if (Array.isArray(JSON.parse(new TextDecoder().decode(body)))) return undefined;
  } catch {
    // not JSON at all: refused below
  }
  return refuse(400, "invalid_input", MALFORMED_ACTION_MESSAGE);
}

/**
 * The sentence for input that does not fit an action's schema. The whole payload being something
 * else than the object of fields the page sends (a string, a list, nothing) is a request no page of
 * ours made; a field that does not fit keeps the schema's own message, which names it when the
 * schema did not word one for a person.
 */
export function invalidInputMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue || issue.path.length === 0) return MALFORMED_ACTION_MESSAGE;
  return issue.message.startsWith("Invalid input") ? `${issue.path.join(".")}: ${issue.message}` : issue.message;
}
