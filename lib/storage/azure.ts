import "server-only";
import { randomBytes } from "node:crypto";
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { attachmentDisposition } from "./content-disposition";
import { writeBodyToFile } from "./download";
import type { ObjectInfo, SignedRequest, StorageDriver, UploadedPart } from "./types";

/**
 * Azure Blob Storage through SAS URLs (also Azurite, Microsoft's emulator).
 *
 * What Azure cannot do that S3 does, and what the app does instead:
 * - A SAS cannot pin the uploaded Content-Type or size (a signed content type only becomes
 *   a download header). A browser holding an upload URL can store any type and any size
 *   under that one key; the server must check size, stored type and the bytes themselves
 *   after every upload, and delete what does not match. A single-PUT URL is create-only,
 *   so it cannot swap the blob after that check. (A part URL needs write permission, and
 *   could replace a completed multipart blob until it expires, minutes later.)
 * - There are no multipart uploads, only blocks: Put Block stages a block, Put Block List
 *   commits the blob. There is no upload object to create, list or abort, so this driver
 *   keeps a small marker blob per upload under MULTIPART_MARKERS (see below).
 * - Part ETags do not exist: Put Block returns none. `listParts` reports each block's id
 *   as its `etag`, and `completeMultipart` derives block ids from part numbers only.
 */
export interface AzureDriverConfig {
  account: string;
  accountKey: string;
  container: string;
  /** Blob service URL; defaults to https://<account>.blob.core.windows.net (Azurite: http://127.0.0.1:10000/devstoreaccount1). */
  endpoint?: string;
}

/**
 * Reserved prefix for multipart markers: `<prefix><key>/<uploadId>`, an empty blob whose
 * metadata holds the upload's content type. It plays the part of S3's upload object:
 * complete reads the content type from it (Put Block List must set it, and the interface
 * passes it only at create), listParts/complete fail once it is gone, and
 * listStaleMultipart lists markers by key prefix. `list()` never shows these blobs.
 */
export const MULTIPART_MARKERS = ".multipart-uploads/";

// A single-PUT URL may only create its one blob: once the upload is there (and the server has
// checked its size and type), the same URL cannot replace it with other bytes of any size.
const UPLOAD_PERMISSIONS = "c";
// Put Block needs write: Azure's SAS table puts "block list" under Write only, and Azurite refuses
// Put Block with `c` (403). No SAS permission allows Put Block without also allowing Put Blob,
// Set Properties, Snapshot and Lease on the same blob, so a part URL can rewrite its own key until
// it expires. That is why verified bytes never stay at the key a client had a URL for (the server
// copies them to the original key), and why delete() removes snapshots and breaks leases.
const PART_PERMISSIONS = "w";
const READ_PERMISSIONS = "r";

const noSuchUpload = (key: string, uploadId: string) =>
  Object.assign(new Error(`No multipart upload ${uploadId} for ${key} (aborted, completed or never started)`), {
    name: "NoSuchUpload",
  });

const isNotFound = (err: unknown) => (err as { statusCode?: number })?.statusCode === 404;
// 412 LeaseIdMissing: someone holding a write SAS took a lease, and a delete without its id is refused.
const isLeased = (err: unknown) => (err as { code?: string })?.code === "LeaseIdMissing";

/** A client may take a new lease right after we break one (until its SAS expires); then the sweeper retries. */
const DELETE_LEASE_BREAKS = 3;

/**
 * Block ids must have the same length for every block of a blob and be base64. Embedding the
 * upload id keeps blocks of an abandoned upload on the same key apart from the current one's.
 */
function blockId(uploadId: string, partNumber: number): string {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
    throw new RangeError(`part number must be 1..10000, got ${partNumber}`);
  }
  return Buffer.from(`${uploadId}-${String(partNumber).padStart(5, "0")}`).toString("base64");
}

function partNumberOf(uploadId: string, id: string): number | undefined {
  const match = /^(.+)-(\d{5})$/.exec(Buffer.from(id, "base64").toString());
  return match && match[1] === uploadId ? Number(match[2]) : undefined;
}

const blobEndpoint = (config: Pick<AzureDriverConfig, "account" | "endpoint">) =>
  (config.endpoint ?? `https://${config.account}.blob.core.windows.net`).replace(/\/+$/, "");

/** The account's blob service, authorized with the account key (storage:setup sets CORS and creates the container with it). */
export function createBlobServiceClient(config: Omit<AzureDriverConfig, "container">): BlobServiceClient {
  return new BlobServiceClient(blobEndpoint(config), new StorageSharedKeyCredential(config.account, config.accountKey));
}

/** Long enough for storage to read a large source blob during a server-side copy. */
const COPY_SOURCE_SAS_SECONDS = 3600;

export function createAzureDriver(config: AzureDriverConfig): StorageDriver {
  const credential = new StorageSharedKeyCredential(config.account, config.accountKey);
  const endpoint = blobEndpoint(config);
  const container = new BlobServiceClient(endpoint, credential).getContainerClient(config.container);
  // Real Azure is https-only for SAS; Azurite runs on plain http.
  const protocol = endpoint.startsWith("https:") ? SASProtocol.Https : SASProtocol.HttpsAndHttp;

  const blob = (key: string) => container.getBlockBlobClient(key);
  const marker = (key: string, uploadId: string) => blob(`${MULTIPART_MARKERS}${key}/${uploadId}`);

  /** The blob's URL with a SAS for exactly this blob. */
  function sasUrl(key: string, permissions: string, expiresOn: Date, contentDisposition?: string): string {
    const sas = generateBlobSASQueryParameters(
      {
        containerName: config.container,
        blobName: key,
        permissions: BlobSASPermissions.parse(permissions),
        // No start time: a start set from our clock fails on a storage server whose clock is behind.
        expiresOn,
        protocol,
        contentDisposition,
      },
      credential,
    );
    return `${blob(key).url}?${sas.toString()}`;
  }

  const expiry = (seconds: number, from = new Date()) => new Date(from.getTime() + seconds * 1000);

  async function contentTypeOf(key: string, uploadId: string): Promise<string> {
    try {
      const props = await marker(key, uploadId).getProperties();
      return props.metadata?.contenttype ?? "application/octet-stream";
    } catch (err) {
      if (isNotFound(err)) throw noSuchUpload(key, uploadId);
      throw err;
    }
  }

  return {
    kind: "azure",

    async presignPut(key, { contentType, expiresInSeconds }): Promise<SignedRequest> {
      // contentLength cannot be signed (see the top of this file): the server checks it after upload.
      return {
        method: "PUT",
        url: sasUrl(key, UPLOAD_PERMISSIONS, expiry(expiresInSeconds)),
        // Put Blob needs the blob type; Content-Type is stored as the blob's type.
        headers: { "x-ms-blob-type": "BlockBlob", "Content-Type": contentType },
      };
    },

    async createMultipart(key, { contentType }) {
      const uploadId = randomBytes(16).toString("hex");
      await marker(key, uploadId).uploadData(Buffer.alloc(0), { metadata: { contenttype: contentType } });
      return uploadId;
    },

    async presignPart(key, uploadId, partNumber, { expiresInSeconds }): Promise<SignedRequest> {
      const id = encodeURIComponent(blockId(uploadId, partNumber));
      const url = `${sasUrl(key, PART_PERMISSIONS, expiry(expiresInSeconds))}&comp=block&blockid=${id}`;
      return { method: "PUT", url, headers: {} };
    },

    async listParts(key, uploadId) {
      await contentTypeOf(key, uploadId); // throws when the upload is gone, as S3's ListParts does
      let blocks: { name: string }[];
      try {
        blocks = (await blob(key).getBlockList("uncommitted")).uncommittedBlocks ?? [];
      } catch (err) {
        if (isNotFound(err)) return []; // no block staged yet
        throw err;
      }
      const parts: UploadedPart[] = [];
      for (const b of blocks) {
        const partNumber = partNumberOf(uploadId, b.name);
        if (partNumber !== undefined) parts.push({ partNumber, etag: b.name });
      }
      return parts.sort((a, b) => a.partNumber - b.partNumber);
    },

    async completeMultipart(key, uploadId, parts) {
      const contentType = await contentTypeOf(key, uploadId);
      const ids = [...parts].sort((a, b) => a.partNumber - b.partNumber).map((p) => blockId(uploadId, p.partNumber));
      // Fails (400 InvalidBlockList) when a block was never staged.
      await blob(key).commitBlockList(ids, { blobHTTPHeaders: { blobContentType: contentType } });
      await marker(key, uploadId).deleteIfExists();
    },

    async abortMultipart(key, uploadId) {
      // Only the marker goes: Azure has no call to discard staged blocks without committing the
      // blob. Uncommitted blocks are garbage-collected by Azure after 7 days. Until then they
      // count towards the account's storage but are not readable.
      await marker(key, uploadId).deleteIfExists();
    },

    async listStaleMultipart(prefix, olderThan) {
      const stale: { key: string; uploadId: string; initiated: Date }[] = [];
      for await (const item of container.listBlobsFlat({ prefix: `${MULTIPART_MARKERS}${prefix}` })) {
        const rest = item.name.slice(MULTIPART_MARKERS.length);
        const slash = rest.lastIndexOf("/");
        // The marker is written once, so its last-modified time is when the upload started.
        const initiated = item.properties.lastModified;
        if (slash > 0 && initiated < olderThan) {
          stale.push({ key: rest.slice(0, slash), uploadId: rest.slice(slash + 1), initiated });
        }
      }
      return stale;
    },

    async head(key) {
      try {
        const p = await blob(key).getProperties();
        return { key, size: p.contentLength ?? 0, contentType: p.contentType, lastModified: p.lastModified };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },

    async getBytes(key, range) {
      return range ? blob(key).downloadToBuffer(range.start, range.end - range.start + 1) : blob(key).downloadToBuffer();
    },

    async download(key, filePath, { maxBytes, signal }) {
      const response = await blob(key).download(0, undefined, { abortSignal: signal });
      if (!response.readableStreamBody) throw new Error(`Get Blob ${key} returned no stream body`);
      await writeBodyToFile(key, response.readableStreamBody, filePath, { maxBytes, signal });
    },

    async put(key, body, { contentType, cacheControl }) {
      await blob(key).uploadData(body, { blobHTTPHeaders: { blobContentType: contentType, blobCacheControl: cacheControl } });
    },

    async presignGet(key, { expiresInSeconds, downloadName, signedAt }) {
      // The SAS depends only on its fields, so a rounded `signedAt` gives the same URL all window long.
      const disposition = downloadName === undefined ? undefined : attachmentDisposition(downloadName);
      return sasUrl(key, READ_PERMISSIONS, expiry(expiresInSeconds, signedAt), disposition);
    },

    async copy(fromKey, toKey) {
      // Within one account the copy is done by storage itself; the source URL needs a short read SAS.
      const source = sasUrl(fromKey, READ_PERMISSIONS, expiry(COPY_SOURCE_SAS_SECONDS));
      const poller = await blob(toKey).beginCopyFromURL(source);
      await poller.pollUntilDone();
    },

    async delete(key) {
      // Snapshots (a `c` or `w` SAS may take them) would make a plain delete fail (409) forever.
      for (let breaks = 0; ; breaks++) {
        try {
          await blob(key).deleteIfExists({ deleteSnapshots: "include" });
          return;
        } catch (err) {
          if (!isLeased(err) || breaks === DELETE_LEASE_BREAKS) throw err;
          // Break at once (period 0): the account key may break any lease without knowing its id.
          await blob(key).getBlobLeaseClient().breakLease(0);
        }
      }
    },

    async *list(prefix): AsyncIterable<ObjectInfo> {
      for await (const item of container.listBlobsFlat({ prefix })) {
        if (item.name.startsWith(MULTIPART_MARKERS)) continue;
        yield {
          key: item.name,
          size: item.properties.contentLength ?? 0,
          contentType: item.properties.contentType,
          lastModified: item.properties.lastModified,
        };
      }
    },
  };
}
