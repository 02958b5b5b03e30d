/**
 * The PNG icons of the web app manifest and the Apple touch icon, drawn from
 * app/icon.svg (the one source of the logo) with sharp. The PNGs are committed;
 * run this again after changing the logo:
 *
 *   npx tsx scripts/make-icons.ts
 */
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";

const SOURCE = readFileSync(path.join("app", "icon.svg"));
const OUT = path.join("public", "icons");
/** The page background (bg-zinc-50 in app/globals.css): what an icon with no transparency sits on. */
const BACKGROUND = "#fafafa";

/** The logo at `size`, rendered from the vector (never scaled up from a small bitmap). */
function logo(size: number) {
  return sharp(SOURCE, { density: Math.ceil((72 * size) / 24) })
    .resize(size, size)
    .png()
    .toBuffer();
}

/** The logo at `scale` of a `size` square filled with the page background. */
async function onBackground(size: number, scale: number) {
  const inner = Math.round(size * scale);
  return sharp({ create: { width: size, height: size, channels: 4, background: BACKGROUND } })
    .composite([{ input: await logo(inner), gravity: "centre" }])
    .png({ compressionLevel: 9 })
    .toBuffer();
}

const icons: [string, () => Promise<Buffer>][] = [
  // "any": the logo as it is, transparent around its rounded square.
  ["icon-192.png", () => logo(192)],
  ["icon-512.png", () => logo(512)],
  // "maskable": the launcher crops to its own shape, keeping only the centre circle of 80%
  // diameter; the logo at 60% keeps its corners inside it.
  ["maskable-512.png", () => onBackground(512, 0.6)],
  // iOS fills transparency with black and rounds the corners itself.
  ["apple-touch-icon.png", () => onBackground(180, 0.84)],
];

async function main() {
  mkdirSync(OUT, { recursive: true });
  for (const [name, draw] of icons) {
    const file = path.join(OUT, name);
    await sharp(await draw()).toFile(file);
    const { width, height } = await sharp(file).metadata();
    console.log(`${file}: ${width}×${height}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
