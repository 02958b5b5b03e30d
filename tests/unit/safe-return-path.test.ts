/**
 * safeReturnPath decides where the browser goes after sign-in (window.location.assign).
 * Whatever `?next=` holds, the browser must stay on the app's origin. Checked the way the
 * browser will read the returned value: the WHATWG URL parser, resolved against the app.
 */
import { describe, expect, it } from "vitest";
import { safeReturnPath } from "@/lib/utils";

const APP = "https://photos.example.com";
const landsOn = (next: string) => new URL(safeReturnPath(next), APP);

/** The pieces an attacker builds a path from: separators, dot segments (plain and encoded), whitespace the parser drops. */
const PIECES = ["/", "\\", ".", "..", "%2e", "%2E", "%2e%2e", ".%2e", "%2f", "%5c", "\t", "\n", "a", "evil.example", "@", ":", "?", "#"];

/** Every sequence of up to `length` pieces that starts with "/" (anything else is refused outright). */
function* candidates(length: number): Generator<string> {
  function* extend(prefix: string, left: number): Generator<string> {
    yield prefix;
    if (left === 0) return;
    for (const piece of PIECES) yield* extend(prefix + piece, left - 1);
  }
  yield* extend("/", length);
}

describe("safeReturnPath", () => {
  it.each([
    "/.//evil.example",
    "/..//evil.example",
    "/%2e//evil.example",
    "/%2E//evil.example",
    "/%2e%2e//evil.example",
    "/a/..//evil.example",
    "/a/b/../..//evil.example",
    "/./\\evil.example",
    "/.\\/evil.example",
    "/..\\\\evil.example",
    "/.%2f/evil.example",
    "/\t.//evil.example",
    "/.\t//evil.example",
    "/%2e/\\evil.example",
    "/./..//evil.example",
    "//evil.example",
    "/\\evil.example",
  ])("%j stays on the app's origin", (next) => {
    expect(landsOn(next).origin).toBe(APP);
    expect(safeReturnPath(next)).not.toMatch(/^[/\\]{2}/);
  });

  it("no combination of up to 4 separators, dot segments and encodings leads off-site, and what it returns reads the same when resolved again", () => {
    let tried = 0;
    for (const next of candidates(4)) {
      tried++;
      const returned = safeReturnPath(next);
      const resolved = new URL(returned, APP);
      if (resolved.origin !== APP) throw new Error(`${JSON.stringify(next)} → ${JSON.stringify(returned)} leads to ${resolved.origin}`);
      // A fixed point: the browser's resolution of the returned path is that same path.
      const reread = `${resolved.pathname}${resolved.search}${resolved.hash}`;
      if (reread !== returned) throw new Error(`${JSON.stringify(next)} → ${JSON.stringify(returned)} reads as ${JSON.stringify(reread)}`);
    }
    expect(tried).toBeGreaterThan(100_000);
  });

  it.each([
    ["/photos/0b0e4c1a-8b57-4c1e-9a55-6c4f0d2f6f3a", "/photos/0b0e4c1a-8b57-4c1e-9a55-6c4f0d2f6f3a"],
    ["/shares?tab=active#top", "/shares?tab=active#top"],
    ["/a/../shares", "/shares"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
    ["/.//evil.example", "/"],
    ["evil.example", "/"],
    [null, "/"],
    [undefined, "/"],
    ["", "/"],
  ])("%j is returned as %j", (next, kept) => {
    expect(safeReturnPath(next)).toBe(kept);
  });
});
