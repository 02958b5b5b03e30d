// Section 5: the gallery in Chromium (Debian's, driven by Playwright) for an account
// with 1,000 photos: first-load JavaScript (gzip), LCP and CLS, each load in a
// fresh browser context (cold cache), medians over several loads.
import { gzipSync } from "node:zlib";
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from "../tests/helpers/chromium";
import { chromium } from "playwright";
import { median } from "./lib/stats";

export interface BrowserResult {
  photos: number;
  loads: number;
  lcpMs: number;
  lcpAllMs: number[];
  lcpElement: string;
  cls: number;
  clsAll: number[];
  /** Layout shift while scrolling through the next pages (infinite scroll). */
  scrollCls: number;
  jsGzipBytes: number;
  jsRawBytes: number;
  jsFiles: number;
  /** The largest scripts of the first load, by gzip size. */
  largestScripts: { name: string; gzipBytes: number }[];
  imagesInDom: number;
  imagesInDomAfterScroll: number;
}


const OBSERVERS = `
  window.__bench = { lcp: 0, lcpElement: "", cls: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      window.__bench.lcp = entry.startTime;
      const el = entry.element;
      window.__bench.lcpElement = el ? el.tagName.toLowerCase() + (el.getAttribute("alt") ? "[alt]" : "") : entry.url ? "image" : "text";
    }
  }).observe({ type: "largest-contentful-paint", buffered: true });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__bench.cls += entry.value;
  }).observe({ type: "layout-shift", buffered: true });
`;

export async function runBrowserBench(options: { appUrl: string; email: string; password: string; photos: number; loads: number }): Promise<BrowserResult> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_EXECUTABLE, args: CHROMIUM_ARGS });
  try {
    const lcps: number[] = [];
    const clss: number[] = [];
    let lcpElement = "";
    let js = { gzip: 0, raw: 0, files: 0 };
    let largestScripts: BrowserResult["largestScripts"] = [];
    let imagesInDom = 0;
    let imagesInDomAfterScroll = 0;
    let scrollCls = 0;
    for (let load = 0; load < options.loads; load++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
      const signIn = await context.request.post(`${options.appUrl}/api/auth/sign-in/email`, {
        data: { email: options.email, password: options.password },
        headers: { Origin: options.appUrl },
      });
      if (!signIn.ok()) throw new Error(`sign-in answered ${signIn.status()}`);
      const page = await context.newPage();
      await page.addInitScript(OBSERVERS);
      const scripts: Promise<{ name: string; gzip: number; raw: number }>[] = [];
      page.on("response", (response) => {
        if (response.request().resourceType() !== "script") return;
        const name = new URL(response.url()).pathname.split("/").pop() ?? response.url();
        scripts.push(
          response.body().then(
            (body) => ({ name, gzip: gzipSync(body).length, raw: body.length }),
            () => ({ name, gzip: 0, raw: 0 }),
          ),
        );
      });
      await page.goto(options.appUrl, { waitUntil: "load" });
      await page.waitForLoadState("networkidle");
      await page.waitForTimeout(500);
      const measured = (await page.evaluate("window.__bench")) as { lcp: number; lcpElement: string; cls: number };
      lcps.push(measured.lcp);
      clss.push(measured.cls);
      lcpElement = measured.lcpElement;
      if (load === 0) {
        const sizes = await Promise.all(scripts);
        js = { gzip: sizes.reduce((s, x) => s + x.gzip, 0), raw: sizes.reduce((s, x) => s + x.raw, 0), files: sizes.length };
        largestScripts = [...sizes].sort((a, b) => b.gzip - a.gzip).slice(0, 6).map((x) => ({ name: x.name, gzipBytes: x.gzip }));
        imagesInDom = await page.locator("img").count();
        // Scroll through several pages (infinite scroll) and watch for shifts.
        const before = measured.cls;
        for (let step = 0; step < 12; step++) {
          await page.mouse.wheel(0, 1600);
          await page.waitForTimeout(250);
        }
        await page.waitForLoadState("networkidle");
        const after = (await page.evaluate("window.__bench")) as { cls: number };
        scrollCls = after.cls - before;
        imagesInDomAfterScroll = await page.locator("img").count();
      }
      await context.close();
    }
    return {
      photos: options.photos,
      loads: options.loads,
      lcpMs: median(lcps),
      lcpAllMs: lcps,
      lcpElement,
      cls: median(clss),
      clsAll: clss,
      scrollCls,
      jsGzipBytes: js.gzip,
      jsRawBytes: js.raw,
      jsFiles: js.files,
      largestScripts,
      imagesInDom,
      imagesInDomAfterScroll,
    };
  } finally {
    await browser.close();
  }
}
