import { ALLOWED_IMAGE_TYPES, describeAllowedTypes, isAllowedType, type AllowedType } from "@/lib/images/formats";
import { formatBytes } from "@/lib/utils";

const BY_EXTENSION = new Map<string, AllowedType>(
  Object.entries(ALLOWED_IMAGE_TYPES).flatMap(([type, { extensions }]) => extensions.map((ext) => [ext, type as AllowedType] as const)),
);

/**
 * The type to sign for a file. Browsers leave `type` empty for some formats (HEIC on
 * most desktops), so the extension decides then. The server sniffs the real bytes anyway.
 */
export function uploadTypeOf(file: File): AllowedType | undefined {
  if (isAllowedType(file.type)) return file.type;
  if (file.type !== "" && file.type !== "application/octet-stream") return undefined;
  const extension = file.name.split(".").pop()?.toLowerCase() ?? "";
  return BY_EXTENSION.get(extension);
}

/** Refuses in the browser, before any request, what the server would refuse. */
export function checkFile(file: File, maxBytes: number): { ok: true; type: AllowedType } | { ok: false; reason: string } {
  const type = uploadTypeOf(file);
  if (!type) return { ok: false, reason: `Not a supported photo type. Use ${describeAllowedTypes()}.` };
  if (file.size === 0) return { ok: false, reason: "This file is empty." };
  if (file.size > maxBytes) return { ok: false, reason: `Too large (${formatBytes(file.size)}); the limit is ${formatBytes(maxBytes)}.` };
  return { ok: true, type };
}
