/**
 * Just enough of React's server-action wire format to call our actions over HTTP
 * the way the browser does: arguments go as a JSON array (strings that start with
 * "$" escaped as "$$"), the answer comes back as RSC rows. Our actions take and
 * return plain JSON, so references to other rows, text rows and a few tagged
 * values are all this needs to understand.
 */

export function encodeActionArgs(args: unknown[]): string {
  const escape = (value: unknown): unknown => {
    if (typeof value === "string") return value.startsWith("$") ? `$${value}` : value;
    if (Array.isArray(value)) return value.map(escape);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escape(v)]));
    return value;
  };
  return JSON.stringify(args.map(escape));
}

type Row = { kind: "json"; text: string } | { kind: "text"; text: string } | { kind: "error"; text: string };

/** Splits an RSC response into its rows: `<hex id>:<json>\n`, or `<hex id>:T<hex byte length>,<text>` with no newline. */
export function parseRows(body: Buffer): Map<number, Row> {
  const rows = new Map<number, Row>();
  let at = 0;
  while (at < body.length) {
    const colon = body.indexOf(0x3a, at);
    if (colon < 0) break;
    const id = Number.parseInt(body.toString("latin1", at, colon), 16);
    const tag = String.fromCharCode(body[colon + 1] ?? 0);
    if (tag === "T") {
      const comma = body.indexOf(0x2c, colon);
      const length = Number.parseInt(body.toString("latin1", colon + 2, comma), 16);
      rows.set(id, { kind: "text", text: body.toString("utf8", comma + 1, comma + 1 + length) });
      at = comma + 1 + length;
      continue;
    }
    const end = body.indexOf(0x0a, colon);
    const stop = end < 0 ? body.length : end;
    const payload = body.toString("utf8", colon + 1, stop);
    if (tag === "E") rows.set(id, { kind: "error", text: payload.slice(1) });
    else if (/^[A-Za-z]/.test(tag) && tag !== "t" && tag !== "f" && tag !== "n") rows.set(id, { kind: "error", text: `unsupported row ${tag}` });
    else rows.set(id, { kind: "json", text: payload });
    at = stop + 1;
  }
  return rows;
}

/** The value the action returned (row 0 points at it as "$@<id>"). Throws when the action threw. */
export function decodeActionResult(body: Buffer): unknown {
  const rows = parseRows(body);
  const resolve = (id: number): unknown => {
    const row = rows.get(id);
    if (!row) throw new Error(`RSC row ${id} is missing in ${body.subarray(0, 300).toString()}`);
    if (row.kind === "error") throw new Error(`the action threw: ${row.text}`);
    if (row.kind === "text") return row.text;
    return revive(JSON.parse(row.text));
  };
  const revive = (value: unknown): unknown => {
    if (typeof value === "string" && value.startsWith("$")) {
      if (value.startsWith("$$")) return value.slice(1);
      if (value === "$undefined") return undefined;
      if (value.startsWith("$D")) return new Date(value.slice(2));
      if (value.startsWith("$n")) return BigInt(value.slice(2));
      const ref = /^\$@?([0-9a-f]+)$/.exec(value);
      if (ref) return resolve(Number.parseInt(ref[1]!, 16));
      return value;
    }
    if (Array.isArray(value)) return value.map(revive);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
    return value;
  };
  const root = resolve(0) as { a?: unknown };
  return root.a;
}
