import "server-only";
import { db } from "@/lib/db";
import type { ObjectInfo, StorageDriver } from "@/lib/storage";
import { KEY_ROOT, parseKey, photoPrefix } from "@/lib/photos/keys";

/** The columns the sweeper judges a photo by. */
export interface SweptPhoto {
  id: string;
  ownerId: string;
  status: "PENDING" | "PROCESSING" | "READY" | "FAILED";
  originalKey: string;
  thumbKey: string | null;
  largeKey: string | null;
  multipartUploadId: string | null;
  uploadExpiresAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

/** One photo's place in storage: its row (if any) and the objects under its prefix (maybe none). */
export type WalkItem = { kind: "photo"; prefix: string; row?: SweptPhoto; objects: ObjectInfo[] } | { kind: "stray"; object: ObjectInfo };

/** Rows per database page; the listing is paged by the storage API itself (1,000 keys on S3). */
export const DEFAULT_PAGE_SIZE = 1000;

/**
 * Walks every photo row and every object under users/ together, in one pass and with
 * bounded memory: a merge join of the bucket listing (S3 and Azure list in byte order of
 * the key) with the rows read page by page in the same order (`USING ~<~` compares bytes
 * whatever the database's collation, and the text_pattern_ops index on originalKey serves it).
 * Holds one page of rows and one photo's objects at a time.
 *
 * Objects under users/ that are not one of our keys come out as "stray". A listing that
 * is not in key order would pair objects with the wrong rows: it stops the walk.
 */
export async function* walkPhotosAndObjects(storage: StorageDriver, pageSize = DEFAULT_PAGE_SIZE): AsyncGenerator<WalkItem> {
  const rows = new RowCursor(pageSize);
  let group: { prefix: string; objects: ObjectInfo[] } | undefined;

  async function* flush(prefix: string, objects: ObjectInfo[]): AsyncGenerator<WalkItem> {
    for (let row = await rows.peek(); row && compareBytes(prefixOf(row), prefix) < 0; row = await rows.peek()) {
      yield { kind: "photo", prefix: prefixOf(row), row: await rows.take(), objects: [] };
    }
    const row = await rows.peek();
    if (row && prefixOf(row) === prefix) {
      yield { kind: "photo", prefix, row: await rows.take(), objects };
    } else {
      yield { kind: "photo", prefix, objects };
    }
  }

  for await (const object of storage.list(KEY_ROOT)) {
    const parsed = parseKey(object.key);
    if (!parsed) {
      yield { kind: "stray", object };
      continue;
    }
    const prefix = photoPrefix(parsed.ownerId, parsed.photoId);
    if (group?.prefix === prefix) {
      group.objects.push(object);
      continue;
    }
    if (group) {
      if (compareBytes(prefix, group.prefix) < 0) {
        throw new Error(`Storage listed ${object.key} after ${group.prefix}: the listing is not in key order, so the sweeper stops.`);
      }
      yield* flush(group.prefix, group.objects);
    }
    group = { prefix, objects: [object] };
  }
  if (group) yield* flush(group.prefix, group.objects);
  for (let row = await rows.take(); row; row = await rows.take()) yield { kind: "photo", prefix: prefixOf(row), row, objects: [] };
}

/** Keys we build are ASCII, but compare bytes anyway: that is the order S3 lists in. */
export const compareBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

const prefixOf = (row: SweptPhoto) => row.originalKey.slice(0, row.originalKey.lastIndexOf("/") + 1);

/** Photo rows in byte order of originalKey, read by keyset one page at a time. */
class RowCursor {
  private page: SweptPhoto[] = [];
  private index = 0;
  private after = "";
  private exhausted = false;

  constructor(private readonly pageSize: number) {}

  async peek(): Promise<SweptPhoto | undefined> {
    if (this.index >= this.page.length && !this.exhausted) await this.load();
    return this.page[this.index];
  }

  async take(): Promise<SweptPhoto | undefined> {
    const row = await this.peek();
    if (row) this.index++;
    return row;
  }

  private async load() {
    this.page = await db.$queryRaw<SweptPhoto[]>`
      SELECT "id", "ownerId", "status"::text AS "status", "originalKey", "thumbKey", "largeKey",
             "multipartUploadId", "uploadExpiresAt", "updatedAt", "deletedAt"
      FROM "Photo"
      WHERE "originalKey" ~>~ ${this.after}
      ORDER BY "originalKey" USING ~<~
      LIMIT ${this.pageSize}`;
    this.index = 0;
    if (this.page.length < this.pageSize) this.exhausted = true;
    const last = this.page.at(-1);
    if (last) this.after = last.originalKey;
  }
}
