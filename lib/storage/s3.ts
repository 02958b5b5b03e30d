import "server-only";
import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { attachmentDisposition } from "./content-disposition";
import { writeBodyToFile } from "./download";
import { createS3UrlSigner } from "./s3-url-signer";
import type { ObjectInfo, SignedRequest, StorageDriver, UploadedPart } from "./types";

/**
 * The S3 API: AWS S3, Cloudflare R2, MinIO, Backblaze B2, GCS's XML API, and the
 * embedded s3rver. Presigned URLs carry the upload's content type and exact length in
 * the signature, so storage itself refuses any other type or size (403).
 */
export interface S3DriverConfig {
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Unset for AWS itself. */
  endpoint?: string;
  /** Where browsers reach storage when it differs from `endpoint` (URLs handed out are signed for this host). */
  publicEndpoint?: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key` (MinIO, s3rver, GCS). */
  forcePathStyle?: boolean;
}

/** The SDK client every S3 call goes through (the driver's, and storage:setup's). */
export function createS3Client(config: S3DriverConfig, endpoint = config.endpoint): S3Client {
  const client = new S3Client({
    region: config.region,
    endpoint,
    forcePathStyle: config.forcePathStyle ?? false,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    // Since 3.729 the SDK adds CRC32 checksums by default: presigned URLs then carry
    // x-amz-checksum-crc32, which a browser PUT cannot satisfy and R2/B2/MinIO/GCS reject.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  if (config.forcePathStyle) {
    // Path-style bucket-level calls (ListObjectsV2, ListMultipartUploads) go to `/bucket/`;
    // s3rver answers 404 there and wants `/bucket`. S3 and the others accept both.
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { path?: unknown } | undefined;
        if (request && typeof request.path === "string" && /^\/[^/]+\/$/.test(request.path)) {
          request.path = request.path.slice(0, -1);
        }
        return next(args);
      },
      { step: "build", name: "stripBucketTrailingSlash" },
    );
  }
  return client;
}

const isNotFound = (err: unknown) =>
  (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404;

export function createS3Driver(config: S3DriverConfig): StorageDriver {
  const client = createS3Client(config);
  // Signing is local (no request is sent), so a second client just for the public host costs nothing.
  const signUrl = createS3UrlSigner(config.publicEndpoint ? createS3Client(config, config.publicEndpoint) : client, config.bucket);
  const Bucket = config.bucket;

  return {
    kind: "s3",

    async presignPut(key, { contentType, contentLength, expiresInSeconds }): Promise<SignedRequest> {
      // Signing type and length makes storage check them: a browser cannot swap the file for another type or size.
      const url = await signUrl({
        method: "PUT",
        key,
        headers: { "content-type": contentType, "content-length": String(contentLength) },
        expiresInSeconds,
      });
      // Content-Length is signed too, but browsers set it themselves (and refuse to let scripts set it).
      return { method: "PUT", url, headers: { "Content-Type": contentType } };
    },

    async createMultipart(key, { contentType }) {
      const out = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: key, ContentType: contentType }));
      if (!out.UploadId) throw new Error(`CreateMultipartUpload for ${key} returned no UploadId`);
      return out.UploadId;
    },

    async presignPart(key, uploadId, partNumber, { contentLength, expiresInSeconds }): Promise<SignedRequest> {
      const url = await signUrl({
        method: "PUT",
        key,
        query: { partNumber: String(partNumber), uploadId },
        headers: { "content-length": String(contentLength) },
        expiresInSeconds,
      });
      return { method: "PUT", url, headers: {} };
    },

    async listParts(key, uploadId) {
      const parts: UploadedPart[] = [];
      let marker: string | undefined;
      do {
        const out = await client.send(new ListPartsCommand({ Bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }));
        for (const p of out.Parts ?? []) {
          if (p.PartNumber !== undefined && p.ETag) parts.push({ partNumber: p.PartNumber, etag: p.ETag });
        }
        marker = out.IsTruncated ? out.NextPartNumberMarker : undefined;
      } while (marker);
      return parts.sort((a, b) => a.partNumber - b.partNumber);
    },

    async completeMultipart(key, uploadId, parts) {
      const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: sorted.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
      );
    },

    async abortMultipart(key, uploadId) {
      try {
        await client.send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId }));
      } catch (err) {
        // Already aborted or completed: the goal (no pending upload) is reached, e.g. when the sweeper races a completion.
        if (!isNotFound(err)) throw err;
      }
    },

    async listStaleMultipart(prefix, olderThan) {
      const stale: { key: string; uploadId: string; initiated: Date }[] = [];
      let keyMarker: string | undefined;
      let uploadIdMarker: string | undefined;
      do {
        const out = await client.send(
          new ListMultipartUploadsCommand({ Bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
        );
        for (const u of out.Uploads ?? []) {
          if (u.Key && u.UploadId && u.Initiated && u.Initiated < olderThan) {
            stale.push({ key: u.Key, uploadId: u.UploadId, initiated: u.Initiated });
          }
        }
        keyMarker = out.IsTruncated ? out.NextKeyMarker : undefined;
        uploadIdMarker = out.IsTruncated ? out.NextUploadIdMarker : undefined;
      } while (keyMarker);
      return stale;
    },

    async head(key) {
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return { key, size: out.ContentLength ?? 0, contentType: out.ContentType, lastModified: out.LastModified };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },

    async getBytes(key, range) {
      const out = await client.send(
        new GetObjectCommand({ Bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
      );
      if (!out.Body) throw new Error(`GetObject ${key} returned no body`);
      // A view, not a copy: for a large original a copy doubles what processing holds in memory.
      const bytes = await out.Body.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },

    async download(key, filePath, { maxBytes, signal }) {
      const out = await client.send(new GetObjectCommand({ Bucket, Key: key }), { abortSignal: signal });
      if (!(out.Body instanceof Readable)) throw new Error(`GetObject ${key} returned no stream body`);
      await writeBodyToFile(key, out.Body, filePath, { maxBytes, signal });
    },

    async put(key, body, { contentType, cacheControl }) {
      await client.send(
        new PutObjectCommand({ Bucket, Key: key, Body: body, ContentType: contentType, CacheControl: cacheControl }),
      );
    },

    async presignGet(key, { expiresInSeconds, downloadName, signedAt }) {
      // With `signedAt` (a rounded timestamp) the URL is the same for everyone in that window,
      // so browsers and CDNs can cache it. It then expires `expiresInSeconds` after `signedAt`, not after now.
      return signUrl({
        method: "GET",
        key,
        query: downloadName === undefined ? {} : { "response-content-disposition": attachmentDisposition(downloadName) },
        expiresInSeconds,
        signedAt,
      });
    },

    async copy(fromKey, toKey) {
      // CopySource is "bucket/key", URL-encoded per segment like the key in a request path.
      const source = `${Bucket}/${fromKey.split("/").map(encodeURIComponent).join("/")}`;
      await client.send(new CopyObjectCommand({ Bucket, Key: toKey, CopySource: source, MetadataDirective: "COPY" }));
    },

    async delete(key) {
      // S3 answers 204 for a missing key too.
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },

    async *list(prefix): AsyncIterable<ObjectInfo> {
      let token: string | undefined;
      do {
        const out = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of out.Contents ?? []) {
          if (o.Key) yield { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified };
        }
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
    },
  };
}
