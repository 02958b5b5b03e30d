import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, type Page, type Request, type Route } from "@playwright/test";
import pg from "pg";

export const FIXTURES = path.resolve("tests/fixtures/photos");
export const fixturePath = (name: string) => path.join(FIXTURES, name);

const onAzure = () => process.env.STORAGE_DRIVER === "azure";

/** Where browsers send upload bytes: the embedded S3 or Azurite that scripts/test.ts started (or the configured storage). */
export const storageOrigin = () => {
  const endpoint = onAzure()
    ? process.env.AZURE_BLOB_ENDPOINT || `https://${process.env.AZURE_STORAGE_ACCOUNT}.blob.core.windows.net`
    : process.env.S3_PUBLIC_ENDPOINT || process.env.S3_ENDPOINT;
  if (!endpoint) throw new Error("No storage endpoint is set: run the e2e suite through scripts/test.ts");
  return new URL(endpoint).origin;
};

/** What storage answers a stored PUT (file or part): S3 200, Azure 201 Created. */
export const storedStatus = () => (onAzure() ? 201 : 200);

/** The part number of a part PUT, 0 for anything else: S3 `partNumber`, Azure's block id (`<uploadId>-00001`, base64). */
export function partNumberOf(url: string): number {
  const params = new URL(url).searchParams;
  if (!onAzure()) return Number(params.get("partNumber") ?? 0);
  const blockId = params.get("comp") === "block" ? params.get("blockid") : null;
  return Number(/-(\d{5})$/.exec(Buffer.from(blockId ?? "", "base64").toString())?.[1] ?? 0);
}

const MIME: Record<string, string> = { jpg: "image/jpeg", png: "image/png", webp: "image/webp", heic: "image/heic", avif: "image/avif", gif: "image/gif", svg: "image/svg+xml" };

/** A fixture's bytes under another name, as a file the page can be given. */
export function fixtureAs(fixture: string, name: string) {
  return { name, mimeType: MIME[fixture.split(".").pop()!] ?? "", buffer: readFileSync(fixturePath(fixture)) };
}

/**
 * Drops files on the gallery the way a browser does: dragenter (the overlay shows),
 * then drop, with a DataTransfer holding File objects built in the page. Events sent
 * before hydration would go unheard, as for chooseFiles.
 */
export async function dragFilesOver(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]) {
  await waitForHydration(page);
  const dataTransfer = await page.evaluateHandle(
    (list) => {
      const transfer = new DataTransfer();
      for (const f of list) {
        const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], f.name, { type: f.mimeType }));
      }
      return transfer;
    },
    files.map((f) => ({ name: f.name, mimeType: f.mimeType, base64: f.buffer.toString("base64") })),
  );
  const target = page.getByRole("heading", { name: "Your photos" });
  await target.dispatchEvent("dragenter", { dataTransfer });
  return { drop: () => target.dispatchEvent("drop", { dataTransfer }) };
}

export interface LoggedRequest {
  url: URL;
  method: string;
  bodyBytes: number;
  status?: number;
}

/** Every request the page makes, with the size of the body it actually sent. */
export function recordRequests(page: Page) {
  const seen: Request[] = [];
  page.on("request", (request) => seen.push(request));
  return {
    count: () => seen.length,
    /** Resolved sizes (a request that never finished counts its known post data). */
    async entries(): Promise<LoggedRequest[]> {
      return Promise.all(
        seen.map(async (request) => {
          const response = await request.response().catch(() => null);
          const sizes = response ? await request.sizes().catch(() => undefined) : undefined;
          return {
            url: new URL(request.url()),
            method: request.method(),
            bodyBytes: sizes?.requestBodySize ?? request.postDataBuffer()?.length ?? 0,
            status: response?.status(),
          };
        }),
      );
    },
  };
}

/**
 * Holds every upload PUT to storage until released; cancelled ones are dropped.
 * `held()` says how many are waiting.
 */
export async function holdStoragePuts(page: Page, shouldHold: (url: URL) => boolean = () => true) {
  const waiting: Route[] = [];
  let releaseAll: (() => void) | undefined;
  const released = new Promise<void>((resolve) => (releaseAll = resolve));
  await page.route(`${storageOrigin()}/**`, async (route) => {
    const request = route.request();
    if (request.method() !== "PUT" || !shouldHold(new URL(request.url()))) return route.continue();
    waiting.push(route);
    await released;
    // The page may have aborted it meanwhile (cancel, reload): nothing to send then.
    await route.continue().catch(() => {});
  });
  return {
    held: () => waiting.length,
    release: () => releaseAll?.(),
  };
}

/** The photo rows of an account, straight from the database the app uses. */
export async function photoRowsOf(email: string): Promise<{ displayName: string; status: string; multipartUploadId: string | null }[]> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const result = await client.query(
      `SELECT p."displayName", p.status, p."multipartUploadId" FROM "Photo" p JOIN "user" u ON u.id = p."ownerId" WHERE u.email = $1 ORDER BY p."displayName"`,
      [email],
    );
    return result.rows;
  } finally {
    await client.end();
  }
}

/**
 * Files set on the input before React has hydrated the page fire a change event nobody
 * hears (a person cannot be that fast; a test after a reload on a busy machine can):
 * wait until React owns the input, then pick.
 */
export async function chooseFiles(page: Page, files: Parameters<Page["setInputFiles"]>[1]) {
  await waitForHydration(page);
  await page.getByLabel("Choose photos").setInputFiles(files);
}

/** React has taken over the server-rendered drop zone (it tags the DOM nodes it owns). */
async function waitForHydration(page: Page) {
  const input = page.getByLabel("Choose photos");
  await expect.poll(() => input.evaluate((el) => Object.keys(el).some((k) => k.startsWith("__reactProps")))).toBe(true);
}

/** The panel's summary line, e.g. "3 of 3 uploaded". */
export const uploadSummary = (page: Page) => page.getByRole("status").filter({ hasText: "uploaded" });

export async function expectThumbnailLoaded(page: Page, name: string) {
  const image = page.getByRole("img", { name, exact: true });
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  return image;
}
