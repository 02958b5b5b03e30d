/**
 * A Content-Disposition value that makes the browser save the file under `name`.
 * The name comes from users (an upload's original file name), so it is reduced to
 * something that cannot break out of the header or point into a directory.
 */
export function attachmentDisposition(name: string): string {
  // Only the last path segment: "C:\\photos\\a.jpg" and "../../a.jpg" both become "a.jpg".
  const base = name.split(/[\\/]/).pop() ?? "";
  // Control characters could split the header; quotes and backslashes would end the quoted-string early.
  const cleaned = base.replace(/[\u0000-\u001f\u007f"\\]/g, "").trim() || "download";
  // `filename` must be plain ASCII for old clients; `filename*` (RFC 6266/5987) carries the real UTF-8 name.
  const ascii = cleaned.replace(/[^\x20-\x7e]/g, "_");
  const encoded = encodeURIComponent(cleaned).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
