import { createHash, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { writeBodyToFile } from "./download";
import type { ObjectInfo, StorageDriver, UploadedPart } from "./types";

/**
 * An in-memory StorageDriver for unit tests of code that uses storage (upload, gallery,
 * sweeper). Presigned URLs are fake (`memory://…`) and nothing listens on them; tests
 * that need a browser-like upload call `put` or `uploadPart` directly.
 */
export interface MemoryDriver extends StorageDriver {
  /** Stands in for the browser's part PUT; returns the part's ETag. */
  uploadPart(uploadId: string, partNumber: number, body: Buffer): string;
  /** Every stored object, for assertions. */
  readonly objects: ReadonlyMap<string, { body: Buffer; contentType: string; lastModified: Date }>;
}

const etagOf = (body: Buffer) => `"${createHash("md5").update(body).digest("hex")}"`;

export function createMemoryDriver(): MemoryDriver {
  const objects = new Map<string, { body: Buffer; contentType: string; lastModified: Date }>();
  const uploads = new Map<
    string,
    { key: string; contentType: string; initiated: Date; parts: Map<number, { body: Buffer; etag: string }> }
  >();

  const uploadOf = (key: string, uploadId: string) => {
    const upload = uploads.get(uploadId);
    if (!upload || upload.key !== key) throw Object.assign(new Error(`NoSuchUpload ${uploadId}`), { name: "NoSuchUpload" });
    return upload;
  };
  const url = (key: string, query: string) => `memory://bucket/${encodeURIComponent(key)}?${query}`;

  return {
    kind: "s3",
    objects,

    async presignPut(key, { contentType, contentLength, expiresInSeconds }) {
      return {
        method: "PUT",
        url: url(key, `type=${encodeURIComponent(contentType)}&length=${contentLength}&expires=${expiresInSeconds}`),
        headers: { "Content-Type": contentType },
      };
    },

    async createMultipart(key, { contentType }) {
      const uploadId = randomUUID();
      uploads.set(uploadId, { key, contentType, initiated: new Date(), parts: new Map() });
      return uploadId;
    },

    async presignPart(key, uploadId, partNumber, { contentLength, expiresInSeconds }) {
      uploadOf(key, uploadId);
      return {
        method: "PUT",
        url: url(key, `uploadId=${uploadId}&partNumber=${partNumber}&length=${contentLength}&expires=${expiresInSeconds}`),
        headers: {},
      };
    },

    uploadPart(uploadId, partNumber, body) {
      const upload = uploads.get(uploadId);
      if (!upload) throw new Error(`NoSuchUpload ${uploadId}`);
      const etag = etagOf(body);
      upload.parts.set(partNumber, { body, etag });
      return etag;
    },

    async listParts(key, uploadId) {
      const parts: UploadedPart[] = [...uploadOf(key, uploadId).parts].map(([partNumber, p]) => ({ partNumber, etag: p.etag }));
      return parts.sort((a, b) => a.partNumber - b.partNumber);
    },

    async completeMultipart(key, uploadId, parts) {
      const upload = uploadOf(key, uploadId);
      const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
      const bodies = sorted.map((p) => {
        const stored = upload.parts.get(p.partNumber);
        if (!stored || stored.etag !== p.etag) throw new Error(`InvalidPart ${p.partNumber}`);
        return stored.body;
      });
      objects.set(key, { body: Buffer.concat(bodies), contentType: upload.contentType, lastModified: new Date() });
      uploads.delete(uploadId);
    },

    async abortMultipart(_key, uploadId) {
      uploads.delete(uploadId);
    },

    async listStaleMultipart(prefix, olderThan) {
      return [...uploads]
        .filter(([, u]) => u.key.startsWith(prefix) && u.initiated < olderThan)
        .map(([uploadId, u]) => ({ key: u.key, uploadId, initiated: u.initiated }));
    },

    async head(key) {
      const o = objects.get(key);
      return o && { key, size: o.body.length, contentType: o.contentType, lastModified: o.lastModified };
    },

    async getBytes(key, range) {
      const o = objects.get(key);
      if (!o) throw Object.assign(new Error(`NoSuchKey ${key}`), { name: "NoSuchKey" });
      return range ? Buffer.from(o.body.subarray(range.start, range.end + 1)) : Buffer.from(o.body);
    },

    async download(key, filePath, { maxBytes, signal }) {
      const o = objects.get(key);
      if (!o) throw Object.assign(new Error(`NoSuchKey ${key}`), { name: "NoSuchKey" });
      await writeBodyToFile(key, Readable.from([o.body]), filePath, { maxBytes, signal });
    },

    async put(key, body, { contentType }) {
      objects.set(key, { body: Buffer.from(body), contentType, lastModified: new Date() });
    },

    async presignGet(key, { expiresInSeconds, downloadName, signedAt }) {
      const at = (signedAt ?? new Date()).getTime();
      const name = downloadName === undefined ? "" : `&download=${encodeURIComponent(downloadName)}`;
      return url(key, `expires=${expiresInSeconds}&at=${at}${name}`);
    },

    async copy(fromKey, toKey) {
      const o = objects.get(fromKey);
      if (!o) throw Object.assign(new Error(`NoSuchKey ${fromKey}`), { name: "NoSuchKey" });
      objects.set(toKey, { body: Buffer.from(o.body), contentType: o.contentType, lastModified: new Date() });
    },

    async delete(key) {
      objects.delete(key);
    },

    async *list(prefix): AsyncIterable<ObjectInfo> {
      const keys = [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
      for (const key of keys) {
        const o = objects.get(key);
        if (o) yield { key, size: o.body.length, contentType: o.contentType, lastModified: o.lastModified };
      }
    },
  };
}
