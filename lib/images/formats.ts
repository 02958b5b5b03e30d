// The only upload types we accept. Deliberately a closed list: SVG (script
// inside an image), HTML and anything else that a browser might render as a
// document are never allowed, whatever the client claims. No "server-only"
// here: the uploader uses the same table for its file picker.

export const ALLOWED_IMAGE_TYPES = {
  "image/jpeg": { extensions: ["jpg", "jpeg"], label: "JPEG" },
  "image/png": { extensions: ["png"], label: "PNG" },
  "image/webp": { extensions: ["webp"], label: "WebP" },
  "image/gif": { extensions: ["gif"], label: "GIF" },
  "image/avif": { extensions: ["avif"], label: "AVIF" },
  "image/heic": { extensions: ["heic"], label: "HEIC" },
  "image/heif": { extensions: ["heif", "heic"], label: "HEIF" },
} as const;

export type AllowedType = keyof typeof ALLOWED_IMAGE_TYPES;

export const ALLOWED_TYPES = Object.keys(ALLOWED_IMAGE_TYPES) as AllowedType[];

// Object.hasOwn, not `in`: "constructor" or "__proto__" must not count as a type.
export function isAllowedType(value: string): value is AllowedType {
  return Object.hasOwn(ALLOWED_IMAGE_TYPES, value);
}

/** The extension we store an original under (first of the list). */
export function extensionFor(type: AllowedType): string {
  return ALLOWED_IMAGE_TYPES[type].extensions[0];
}

/** "JPEG, PNG, WebP, GIF, AVIF or HEIC", for messages; HEIF is folded into HEIC. */
export function describeAllowedTypes(): string {
  const labels = ALLOWED_TYPES.filter((type) => type !== "image/heif").map(
    (type) => ALLOWED_IMAGE_TYPES[type].label,
  );
  return `${labels.slice(0, -1).join(", ")} or ${labels.at(-1)}`;
}
