/**
 * Debian's Chromium driven by Playwright's library from inside a vitest file, with
 * the same flags as playwright.config.ts (no background traffic, no lookups of
 * anything but 127.0.0.1 and localhost).
 */
import { chromium, type Browser, type BrowserContext, type Page } from "playwright";
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from "../../helpers/chromium";

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_EXECUTABLE,
    args: CHROMIUM_ARGS,
  });
}

export type Violation = { directive: string; blocked: string; page: string };

/**
 * Records every CSP violation the page reports (the securitypolicyviolation event),
 * in every document the context opens. Read with `violationsOf(page)`.
 */
export async function recordCspViolations(context: BrowserContext) {
  await context.addInitScript(() => {
    const seen: { directive: string; blocked: string; page: string }[] = [];
    (window as unknown as { __cspViolations: typeof seen }).__cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (event) => {
      seen.push({ directive: event.effectiveDirective, blocked: event.blockedURI, page: location.pathname });
    });
  });
}

export function violationsOf(page: Page): Promise<Violation[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations?: Violation[] }).__cspViolations ?? []);
}

/** Signs a new account up through the API inside the context, so its pages are signed in. */
export async function signUpInContext(context: BrowserContext, baseUrl: string, account: { name: string; email: string; password: string }) {
  const response = await context.request.post(`${baseUrl}/api/auth/sign-up/email`, { data: account, headers: { Origin: baseUrl } });
  if (response.status() !== 200) throw new Error(`sign-up answered ${response.status()}: ${await response.text()}`);
}
