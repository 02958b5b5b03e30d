/**
 * After sign-in the browser goes to `?next=` (window.location.assign). Whatever a
 * link puts there, the browser must end up on this origin. Checked with the WHATWG
 * URL parser, the one browsers use to resolve it; csp-browser.test.ts follows one
 * such link in Chromium.
 */
import { describe, expect, it } from "vitest";
import { safeReturnPath } from "@/lib/utils";

const APP = "https://photos.example.com";
const landsOn = (next: string) => new URL(safeReturnPath(next), APP);

describe("the return path after sign-in", () => {
  it.each([
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\t\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "javascript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "/\u0000/evil.example",
  ])("%j stays on the app's origin", (next) => {
    expect(landsOn(next).origin).toBe(APP);
  });

  it.each([
    ["/photos/0b0e4c1a-8b57-4c1e-9a55-6c4f0d2f6f3a", "/photos/0b0e4c1a-8b57-4c1e-9a55-6c4f0d2f6f3a"],
    ["/shares?tab=active#top", "/shares?tab=active#top"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
    [undefined, "/"],
    ["", "/"],
  ])("%j is kept as %j", (next, kept) => {
    expect(safeReturnPath(next)).toBe(kept);
  });
});
