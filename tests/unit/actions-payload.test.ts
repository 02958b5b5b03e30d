import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ACTION_BODY_LIMIT_BYTES, invalidInputMessage, MALFORMED_ACTION_MESSAGE, refuseMalformedAction } from "@/lib/actions/payload";
import { createUploadsSchema, photoIdSchema } from "@/lib/photos/schemas";

function actionCall(body: string, headers: Record<string, string> = {}) {
  return new Request("http://localhost/", {
    method: "POST",
    headers: { "Next-Action": "7f00", "Content-Type": "text/plain;charset=UTF-8", ...headers },
    body,
  });
}

async function refusal(request: Request) {
  const response = await refuseMalformedAction(request);
  return response && { status: response.status, body: await response.json() };
}

describe("an action request Next could not decode", () => {
  it("is refused with invalid_input when its body is not JSON or not the argument list", async () => {
    for (const body of ["{{{not json", '"a string"', '{"files":[]}', "5", ""]) {
      expect(await refusal(actionCall(body)), body).toEqual({ status: 400, body: { ok: false, error: { code: "invalid_input", message: MALFORMED_ACTION_MESSAGE } } });
    }
  });

  it("is refused with payload_too_large past Next's own limit, by its declared or its real length", async () => {
    const huge = JSON.stringify(["x".repeat(ACTION_BODY_LIMIT_BYTES)]);
    expect(await refusal(actionCall(huge))).toMatchObject({ status: 413, body: { ok: false, error: { code: "payload_too_large" } } });
    const declared = new Request("http://localhost/", { method: "POST", headers: { "Next-Action": "7f00", "Content-Length": String(ACTION_BODY_LIMIT_BYTES + 1) } });
    expect(await refusal(declared)).toMatchObject({ status: 413 });
  });

  it("lets through what React sends, form actions, and everything that is no action call", async () => {
    expect(await refusal(actionCall(JSON.stringify([{ photoId: "x" }])))).toBeUndefined();
    expect(await refusal(actionCall("[]"))).toBeUndefined();
    expect(await refusal(actionCall("not json", { "Content-Type": "multipart/form-data; boundary=x" }))).toBeUndefined();
    expect(await refusal(new Request("http://localhost/", { method: "POST", body: "not json" }))).toBeUndefined();
    expect(await refusal(new Request("http://localhost/"))).toBeUndefined();
  });

  it("leaves the request's body for Next to read", async () => {
    const request = actionCall('[{"photoId":"x"}]');
    await refuseMalformedAction(request);
    expect(await request.text()).toBe('[{"photoId":"x"}]');
  });
});

describe("arguments that do not fit an action's schema", () => {
  const messageFor = (schema: z.ZodType, input: unknown) => {
    const parsed = schema.safeParse(input);
    if (parsed.success) throw new Error("expected a failure");
    return invalidInputMessage(parsed.error);
  };

  it("say the request is not what the app sends when the whole payload is not an object", () => {
    for (const input of ["hello", 5, null, undefined, [], [{ photoId: "x" }]]) {
      expect(messageFor(photoIdSchema, input), JSON.stringify(input)).toBe(MALFORMED_ACTION_MESSAGE);
    }
  });

  it("keep a schema's own words, and name the field where zod's generic message has none", () => {
    expect(messageFor(photoIdSchema, { photoId: "../../etc/passwd" })).toBe("Unknown photo.");
    expect(messageFor(createUploadsSchema, { files: [] })).toBe("Choose at least one photo.");
    expect(messageFor(createUploadsSchema, { files: "not a list" })).toBe("files: Invalid input: expected array, received string");
  });
});
