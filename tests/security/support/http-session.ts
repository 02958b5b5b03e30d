/**
 * One visitor talking to a running app over HTTP, as a browser would: it keeps
 * cookies, sends the app's Origin, signs up through better-auth's route and calls
 * server actions by POSTing to a page with the `Next-Action` header. Used by the
 * security and fault suites and by bench/load.ts.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { decodeActionResult, encodeActionArgs } from "./flight";

export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

export interface ActionResponse<T> {
  status: number;
  /** The action's return value when the call got through (200 with an RSC body). */
  result?: ActionResult<T>;
  body: string;
}

export class HttpSession {
  readonly cookies = new Map<string, string>();

  constructor(
    readonly baseUrl: string,
    /** Sent as X-Forwarded-For: with no proxy in front, next start passes it on and the rate limits key on it. */
    readonly forwardedFor?: string,
  ) {}

  get origin() {
    return new URL(this.baseUrl).origin;
  }

  async request(pathname: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size) headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (this.forwardedFor && !("X-Forwarded-For" in headers)) headers["X-Forwarded-For"] = this.forwardedFor;
    const response = await fetch(new URL(pathname, this.baseUrl), { redirect: "manual", ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  async signUp(account: { name: string; email: string; password: string }): Promise<Response> {
    return this.request("/api/auth/sign-up/email", {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: this.origin },
      body: JSON.stringify(account),
    });
  }

  async signIn(account: { email: string; password: string }): Promise<Response> {
    return this.request("/api/auth/sign-in/email", {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: this.origin },
      body: JSON.stringify(account),
    });
  }

  /** Calls a server action like React's client does; `page` is the URL the browser would be on. */
  async action<T>(page: string, actionId: string, args: unknown[], extraHeaders: Record<string, string> = {}): Promise<ActionResponse<T>> {
    return this.rawAction<T>(page, actionId, encodeActionArgs(args), extraHeaders);
  }

  /**
   * A form action bound with useActionState, called as React does once JavaScript runs:
   * the arguments are (previous state, FormData), sent as multipart where the FormData's
   * fields carry the prefix "_1_" and the argument list refers to them as "$K1".
   */
  async formAction<T>(page: string, actionId: string, previousState: unknown, fields: Record<string, string>): Promise<ActionResponse<T> & { redirect?: string }> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(`_1_${name}`, value);
    form.append("0", encodeActionArgs([previousState, "$K1"]).replace('"$$K1"', '"$K1"'));
    const response = await this.request(page, {
      method: "POST",
      headers: { "Next-Action": actionId, Accept: "text/x-component", Origin: this.origin },
      body: form,
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    const isFlight = (response.headers.get("content-type") ?? "").includes("text/x-component");
    const redirect = response.headers.get("x-action-redirect") ?? undefined;
    let result: ActionResult<T> | undefined;
    if (response.status === 200 && isFlight && !redirect) result = { ok: true, data: decodeActionResult(bytes) as T };
    return { status: response.status, result, body: bytes.toString("utf8"), redirect };
  }

  async rawAction<T>(page: string, actionId: string, body: string | Uint8Array<ArrayBuffer>, extraHeaders: Record<string, string> = {}): Promise<ActionResponse<T>> {
    const response = await this.request(page, {
      method: "POST",
      headers: {
        "Next-Action": actionId,
        Accept: "text/x-component",
        "Content-Type": "text/plain;charset=UTF-8",
        Origin: this.origin,
        ...extraHeaders,
      },
      body,
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    const isFlight = (response.headers.get("content-type") ?? "").includes("text/x-component");
    let result: ActionResult<T> | undefined;
    if (response.status === 200 && isFlight) result = decodeActionResult(bytes) as ActionResult<T>;
    return { status: response.status, result, body: bytes.toString("utf8") };
  }
}

/** Action ids by exported name, from a production build's server-reference manifest. */
export function readActionIds(distDir: string): Record<string, string> {
  const manifest = JSON.parse(readFileSync(path.join(distDir, "server", "server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { exportedName?: string; filename?: string }>;
  };
  const ids: Record<string, string> = {};
  for (const [id, entry] of Object.entries(manifest.node)) {
    if (entry.exportedName) ids[entry.exportedName] = id;
  }
  return ids;
}
