/**
 * Remembers which multipart upload a file belongs to, so after a reload the same
 * file (same name, size and modification time) resumes instead of starting over.
 * Only ids are stored; the file itself must be picked again.
 */
const PREFIX = "snapshelf:upload:";

export const fileFingerprint = (file: File) => `${file.name}|${file.size}|${file.lastModified}`;

export function rememberUpload(file: File, photoId: string) {
  try {
    localStorage.setItem(PREFIX + fileFingerprint(file), photoId);
  } catch {
    // Private mode or full storage: resuming is a convenience, uploading still works.
  }
}

export function recallUpload(file: File): string | undefined {
  try {
    return localStorage.getItem(PREFIX + fileFingerprint(file)) ?? undefined;
  } catch {
    return undefined;
  }
}

export function forgetUpload(file: File) {
  try {
    localStorage.removeItem(PREFIX + fileFingerprint(file));
  } catch {
    // See rememberUpload.
  }
}
