/**
 * Demo photos: a handful of real WebP variants made from the test fixtures, and
 * rows for any number of READY photos that point at them. Used by
 * `npm run db:seed-demo` and by the end-to-end tests that need a big gallery.
 *
 * No "server-only" and no database here on purpose: this is plain Node, so the
 * Playwright process can use it too.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import sharp from "sharp";
import { rgbaToThumbHash } from "thumbhash";
import { originalKey } from "../lib/photos/keys";

/** The shapes a camera or phone produces, with how often each shows up in a typical library. */
export const DEMO_ASPECTS = [
  { name: "3:2", width: 6000, height: 4000, weight: 35 },
  { name: "2:3", width: 4000, height: 6000, weight: 20 },
  { name: "4:3", width: 4032, height: 3024, weight: 20 },
  { name: "16:9", width: 3840, height: 2160, weight: 15 },
  { name: "1:1", width: 3024, height: 3024, weight: 10 },
] as const;

export type DemoAspect = (typeof DEMO_ASPECTS)[number]["name"];

/** Real photos sharp decodes without help (the HEIC fixture needs our HEIC decoder). */
export const DEMO_SOURCE_FIXTURES = ["camera-gps-landscape.jpg", "camera-portrait-orientation-6.jpg", "photo-exif-gps.webp", "photo.avif"];

export const DEFAULT_FIXTURES_DIR = path.join(process.cwd(), "tests", "fixtures", "photos");

/**
 * Shared variants live outside `users/`: no photo's delete removes them, and the
 * sweeper (which lists `users/` only) never takes them for orphans.
 */
export const DEMO_PREFIX = "demo/";
export const demoObjectKey = (variant: "thumb" | "large", aspect: DemoAspect, source: number) =>
  `${DEMO_PREFIX}${variant}-${aspect.replace(":", "x")}-${source}.webp`;

export type DemoImage = {
  aspect: DemoAspect;
  source: number;
  thumbKey: string;
  largeKey: string;
  thumb: Buffer;
  large: Buffer;
  thumbhash: string;
};

// The same boxes processImage uses for real uploads (lib/images/process.ts).
const THUMB_HEIGHT = 480;
const LARGE_LONG_SIDE = 2048;

/** Crops every fixture to every aspect ratio and encodes the two variants plus a ThumbHash. */
export async function renderDemoImages(fixturesDir = DEFAULT_FIXTURES_DIR): Promise<DemoImage[]> {
  const perSource = await Promise.all(
    DEMO_SOURCE_FIXTURES.map(async (file, source) => {
      // Decode each fixture once, oriented, to raw sRGB pixels; every crop starts from those.
      const { data, info } = await sharp(path.join(fixturesDir, file))
        .rotate()
        .resize(LARGE_LONG_SIDE, LARGE_LONG_SIDE, { fit: "inside", withoutEnlargement: true })
        .toColourspace("srgb")
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const decoded = { data, raw: { width: info.width, height: info.height, channels: info.channels } };
      const images: DemoImage[] = [];
      for (const aspect of DEMO_ASPECTS) images.push(await renderCrop(decoded, aspect, source));
      return images;
    }),
  );
  return perSource.flat();
}

type Decoded = { data: Buffer; raw: { width: number; height: number; channels: 1 | 2 | 3 | 4 } };

async function renderCrop(decoded: Decoded, aspect: (typeof DEMO_ASPECTS)[number], source: number): Promise<DemoImage> {
  const ratio = aspect.width / aspect.height;
  const { width, height } = decoded.raw;
  // The largest centred crop of the source with this aspect ratio.
  const cropWidth = Math.min(width, Math.round(height * ratio));
  const cropHeight = Math.min(height, Math.round(cropWidth / ratio));
  const crop = () =>
    sharp(decoded.data, { raw: decoded.raw }).extract({
      left: Math.floor((width - cropWidth) / 2),
      top: Math.floor((height - cropHeight) / 2),
      width: cropWidth,
      height: cropHeight,
    });
  const thumb = await crop()
    .resize(Math.round(THUMB_HEIGHT * ratio), THUMB_HEIGHT, { fit: "fill" })
    .webp({ quality: 75, effort: 2 })
    .toBuffer();
  const large = await crop().webp({ quality: 82, effort: 2 }).toBuffer();
  const tiny = await crop().resize(100, 100, { fit: "inside" }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    aspect: aspect.name,
    source,
    thumbKey: demoObjectKey("thumb", aspect.name, source),
    largeKey: demoObjectKey("large", aspect.name, source),
    thumb,
    large,
    thumbhash: Buffer.from(rgbaToThumbHash(tiny.info.width, tiny.info.height, tiny.data)).toString("base64"),
  };
}

/** Small deterministic PRNG (mulberry32): the same --seed gives the same library. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CAMERAS = ["Google Pixel 8", "Apple iPhone 15 Pro", "Fujifilm X-T5", "Sony ILCE-7M4", "Canon EOS R6", "Samsung Galaxy S24", null];

export const demoDisplayName = (index: number) => `demo-${String(index).padStart(6, "0")}.jpg`;

export type DemoPhotoRow = {
  id: string;
  ownerId: string;
  status: "READY";
  originalKey: string;
  thumbKey: string;
  largeKey: string;
  displayName: string;
  contentType: string;
  sizeBytes: bigint;
  width: number;
  height: number;
  thumbhash: string;
  takenAt: Date;
  sortAt: Date;
  camera: string | null;
  uploadExpiresAt: Date;
  createdAt: Date;
};

export type DemoTimelineOptions = {
  /** How many photos in all (it spreads them over `years` whatever the count). */
  count: number;
  years: number;
  /** The newest photo is taken shortly before this. */
  now?: Date;
  seed?: number;
  /** Number of the first photo's name (demo-000000.jpg); lets a second run continue the series. */
  firstIndex?: number;
};

/**
 * READY photo rows, newest first, the way a real library looks: photos come in
 * outings of a few to a hundred shots minutes apart (bursts share a second),
 * with quiet days or weeks between outings, over `years` years. Each row has
 * its own unique original key (with no object behind it) and points at one of
 * the shared demo variants with its aspect ratio.
 */
export function* demoPhotoRows(ownerId: string, images: DemoImage[], options: DemoTimelineOptions): Generator<DemoPhotoRow> {
  const random = seededRandom(options.seed ?? 1);
  const now = options.now ?? new Date();
  const firstIndex = options.firstIndex ?? 0;
  const totalWeight = DEMO_ASPECTS.reduce((sum, a) => sum + a.weight, 0);
  const byAspect = new Map(DEMO_ASPECTS.map((a) => [a.name, images.filter((i) => i.aspect === a.name)]));

  const meanOutingSize = 12;
  const spanMs = options.years * 365.25 * 24 * 3600_000;
  const meanGapMs = spanMs / Math.max(1, options.count / meanOutingSize);
  let time = now.getTime() - 60_000;
  let leftInOuting = 0;

  for (let i = 0; i < options.count; i++) {
    if (leftInOuting === 0) {
      // Exponential gaps between outings, geometric outing sizes.
      if (i > 0) time -= -Math.log(1 - random()) * meanGapMs;
      leftInOuting = 1 + Math.floor(-Math.log(1 - random()) * (meanOutingSize - 1));
    } else if (random() > 0.08) {
      time -= 5_000 + random() * 15 * 60_000;
    } // else: a burst, same timestamp as the previous shot (the id breaks the tie).
    leftInOuting--;

    let pick = random() * totalWeight;
    const aspect = DEMO_ASPECTS.find((a) => (pick -= a.weight) < 0) ?? DEMO_ASPECTS[0];
    const choices = byAspect.get(aspect.name) ?? [];
    const image = choices[Math.floor(random() * choices.length)];
    if (!image) throw new Error(`No demo image for aspect ${aspect.name}.`);

    const id = randomUUID();
    const sortAt = new Date(Math.floor(time / 1000) * 1000);
    yield {
      id,
      ownerId,
      status: "READY",
      originalKey: originalKey(ownerId, id),
      thumbKey: image.thumbKey,
      largeKey: image.largeKey,
      displayName: demoDisplayName(firstIndex + i),
      contentType: "image/jpeg",
      sizeBytes: BigInt(1_500_000 + Math.floor(random() * 7_000_000)),
      width: aspect.width,
      height: aspect.height,
      thumbhash: image.thumbhash,
      takenAt: sortAt,
      sortAt,
      camera: CAMERAS[Math.floor(random() * CAMERAS.length)] ?? null,
      uploadExpiresAt: now,
      createdAt: now,
    };
  }
}

/**
 * One INSERT … SELECT FROM unnest(array per column) per batch: a handful of
 * parameters however many rows. Measured with 5,000-row batches on a busy
 * 2-core machine, it inserts 4,000 rows/s into PGlite and 7,700 into
 * PostgreSQL 15, where Prisma's createMany (tens of thousands of bound
 * parameters per statement) managed 270 and 720.
 */
const COLUMN_TYPES: Record<keyof DemoPhotoRow | "updatedAt", string> = {
  id: "text",
  ownerId: "text",
  status: '"PhotoStatus"',
  originalKey: "text",
  thumbKey: "text",
  largeKey: "text",
  displayName: "text",
  contentType: "text",
  sizeBytes: "bigint",
  width: "integer",
  height: "integer",
  thumbhash: "text",
  takenAt: "timestamp(3)",
  sortAt: "timestamp(3)",
  camera: "text",
  uploadExpiresAt: "timestamp(3)",
  createdAt: "timestamp(3)",
  updatedAt: "timestamp(3)",
};
const COLUMNS = Object.keys(COLUMN_TYPES) as (keyof typeof COLUMN_TYPES)[];
const INSERT_SQL = `INSERT INTO "Photo" (${COLUMNS.map((c) => `"${c}"`).join(", ")})
  SELECT * FROM unnest(${COLUMNS.map((c, i) => `$${i + 1}::${COLUMN_TYPES[c]}[]`).join(", ")})`;

function toColumnArrays(rows: DemoPhotoRow[], now: Date): unknown[][] {
  // Timestamps as UTC ISO strings: the columns are timestamp without time zone holding UTC, as Prisma writes them.
  const plain = (value: unknown) => (value instanceof Date ? value.toISOString() : typeof value === "bigint" ? value.toString() : value);
  return COLUMNS.map((column) => rows.map((row) => plain(column === "updatedAt" ? now : row[column])));
}

/** Anything that runs one SQL statement with positional parameters: Prisma's `$executeRawUnsafe`, or a thin wrapper over pg. */
export type SqlExecutor = { $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number> };

export async function insertDemoPhotoRows(executor: SqlExecutor, rows: DemoPhotoRow[]): Promise<void> {
  if (rows.length > 0) await executor.$executeRawUnsafe(INSERT_SQL, ...toColumnArrays(rows, new Date()));
}
