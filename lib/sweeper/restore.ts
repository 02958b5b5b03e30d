import "server-only";
import { db } from "@/lib/db";
import type { StorageDriver } from "@/lib/storage";
import { KEY_ROOT, parseKey } from "@/lib/photos/keys";
import { processPhoto } from "@/lib/photos/processing";
import { keyFromQuarantine, QUARANTINE_ROOT } from "./quarantine";

export const RECOVERED_DISPLAY_NAME = "Recovered photo";

export interface RestoreReport {
  /** Objects moved back from quarantine to their own key. */
  restored: number;
  /** Photo rows made again for restored originals whose owner exists but whose row was gone. */
  recreated: number;
  /** Left in quarantine because their key is taken again (a newer object lives there). */
  keptKeyTaken: number;
  /** Restored originals, uploads and strays no row will own (owner gone, upload never finished): the next sweep quarantines them again. */
  unowned: number;
}

/**
 * `npm run storage:check -- --restore`: brings every quarantined object back to its key.
 * An original whose photo row is gone (an older database backup was restored, say) while
 * its owner still exists gets its row again, PROCESSING, and is processed at once, so it
 * ends READY with fresh variants and a thumbhash: nothing the sweeper moved is lost.
 */
export async function restoreQuarantine(storage: StorageDriver, log: (line: string) => void = () => {}): Promise<RestoreReport> {
  const report: RestoreReport = { restored: 0, recreated: 0, keptKeyTaken: 0, unowned: 0 };
  const toProcess: string[] = [];
  for await (const object of storage.list(`${QUARANTINE_ROOT}${KEY_ROOT}`)) {
    const key = keyFromQuarantine(object.key);
    if (await storage.head(key)) {
      report.keptKeyTaken++;
      log(`kept ${object.key} in quarantine: ${key} exists again`);
      continue;
    }
    await storage.copy(object.key, key);
    await storage.delete(object.key);
    report.restored++;

    const parsed = parseKey(key);
    if (!parsed) {
      report.unowned++;
      continue;
    }
    const row = await db.photo.findUnique({ where: { id: parsed.photoId }, select: { ownerId: true, status: true } });
    if (row?.ownerId === parsed.ownerId) {
      if (parsed.object === "upload" && row.status !== "PENDING") report.unowned++;
      continue;
    }
    // Variants follow their original: owned again once its row is back, made again by processing otherwise.
    if (parsed.object === "thumb.webp" || parsed.object === "large.webp") continue;
    if (row || parsed.object !== "original" || !(await db.user.findUnique({ where: { id: parsed.ownerId }, select: { id: true } }))) {
      report.unowned++;
      continue;
    }
    const info = await storage.head(key);
    await db.photo.create({
      data: {
        id: parsed.photoId,
        ownerId: parsed.ownerId,
        status: "PROCESSING",
        originalKey: key,
        displayName: RECOVERED_DISPLAY_NAME,
        contentType: info?.contentType ?? "application/octet-stream",
        sizeBytes: info?.size ?? 0,
        uploadExpiresAt: new Date(),
      },
    });
    report.recreated++;
    toProcess.push(parsed.photoId);
    log(`photo ${parsed.photoId} of ${parsed.ownerId}: row made again from its original`);
  }
  // After every object is back, so a recreated photo's old variants are in place (processing replaces them).
  for (const id of toProcess) await processPhoto(id);
  return report;
}
