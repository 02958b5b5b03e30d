/**
 * The one interface every object-storage API is driven through. Upload, gallery,
 * share and sweeper code use only this; nothing outside lib/storage imports a cloud SDK.
 */

/** A request the browser sends to storage itself: the URL plus exactly these headers. */
export interface SignedRequest {
  method: "PUT" | "POST" | "GET" | "DELETE";
  url: string;
  headers: Record<string, string>;
}

export interface ObjectInfo {
  key: string;
  size: number;
  contentType?: string;
  lastModified?: Date;
}

export interface UploadedPart {
  partNumber: number;
  etag: string;
}

export interface StorageDriver {
  /** Which API this is ("s3" covers AWS, R2, MinIO, B2 and GCS's XML API; "azure" is Azure Blob). */
  readonly kind: "s3" | "azure";

  /** A single-request upload; content type and exact length are part of the signature. */
  presignPut(key: string, opts: { contentType: string; contentLength: number; expiresInSeconds: number }): Promise<SignedRequest>;

  /** Starts a multipart (S3) or block-list (Azure) upload and returns its id. */
  createMultipart(key: string, opts: { contentType: string }): Promise<string>;
  /** Signs one part; partNumber starts at 1. */
  presignPart(key: string, uploadId: string, partNumber: number, opts: { contentLength: number; expiresInSeconds: number }): Promise<SignedRequest>;
  /**
   * Parts the storage already holds, so an interrupted upload can resume. Rejects once the
   * upload is aborted or completed. (Azure has no part ETags: `etag` is the block id there.)
   */
  listParts(key: string, uploadId: string): Promise<UploadedPart[]>;
  /** Pass the parts from listParts: the ETags a browser reads may be missing (Azure returns none). */
  completeMultipart(key: string, uploadId: string, parts: UploadedPart[]): Promise<void>;
  /** Idempotent: aborting an upload that is already aborted or completed succeeds. */
  abortMultipart(key: string, uploadId: string): Promise<void>;
  /** Multipart uploads started before `olderThan` and never completed. */
  listStaleMultipart(prefix: string, olderThan: Date): Promise<{ key: string; uploadId: string; initiated: Date }[]>;

  /** undefined when the object does not exist. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Bytes [start, end] inclusive, or the whole object. */
  getBytes(key: string, range?: { start: number; end: number }): Promise<Buffer>;
  /**
   * Streams the object into `filePath` (created or truncated), never holding it whole in memory.
   * Rejects with ObjectTooLargeError as soon as more than `maxBytes` arrive (the object changed
   * since it was checked), and when `signal` aborts; a partial file may be left for the caller to remove.
   */
  download(key: string, filePath: string, opts: { maxBytes: number; signal?: AbortSignal }): Promise<void>;
  put(key: string, body: Buffer, opts: { contentType: string; cacheControl?: string }): Promise<void>;
  /**
   * A short-lived URL to read the object; `downloadName` asks the browser to save it under that name.
   * `signedAt` (a rounded timestamp) makes the URL identical for every call in that window, so it
   * can be cached; the URL then expires `expiresInSeconds` after `signedAt`, not after now.
   */
  presignGet(key: string, opts: { expiresInSeconds: number; downloadName?: string; signedAt?: Date }): Promise<string>;
  /**
   * Server-side copy within the bucket (no bytes pass through the app); the copy keeps the
   * source's content type. Rejects when the source is missing.
   */
  copy(fromKey: string, toKey: string): Promise<void>;
  /** Idempotent: deleting a missing object succeeds. */
  delete(key: string): Promise<void>;
  list(prefix: string): AsyncIterable<ObjectInfo>;
}
