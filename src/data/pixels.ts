/**
 * Turning one CIFAR-10 record into network inputs scaled to 0-1.
 *
 * Gray: BT.601 luma, Y = 0.299 R + 0.587 G + 0.114 B, computed and rounded to a uint8 exactly as
 * OpenCV's cvtColor(COLOR_RGB2GRAY) does for 8-bit images (the article's author most likely
 * used OpenCV): fixed-point weights 4899, 9617, 1868 (sum 2^14) and round half up,
 * Y = (4899 R + 9617 G + 1868 B + 8192) >> 14, then Y / 255. Rounding matters: the network
 * then sees the same 256 gray levels the author's did.
 *
 * RGB: the record's own plane-major layout is kept: input c*1024 + y*32 + x for channel c
 * (0 red, 1 green, 2 blue), row y, column x; each byte / 255.
 */
import { IMAGE_BYTES, PLANE_BYTES } from './checksums.js';
import type { ColorMode } from './types.js';

const LUMA_SHIFT = 14;
const LUMA_R = 4899;
const LUMA_G = 9617;
const LUMA_B = 1868;

/** OpenCV's 8-bit RGB -> gray. */
export function grayByte(r: number, g: number, b: number): number {
  return (r * LUMA_R + g * LUMA_G + b * LUMA_B + (1 << (LUMA_SHIFT - 1))) >> LUMA_SHIFT;
}

export function inputsPerImage(color: ColorMode): number {
  return color === 'gray' ? PLANE_BYTES : IMAGE_BYTES;
}

/**
 * Writes the inputs of one record (3,073 bytes, label first) into `out` at `offset`.
 */
export function recordToInputs(record: Uint8Array, color: ColorMode, out: Float32Array, offset: number): void {
  if (color === 'gray') {
    for (let p = 0; p < PLANE_BYTES; p++) {
      out[offset + p] = grayByte(record[1 + p]!, record[1 + PLANE_BYTES + p]!, record[1 + 2 * PLANE_BYTES + p]!) / 255;
    }
  } else {
    for (let i = 0; i < IMAGE_BYTES; i++) out[offset + i] = record[1 + i]! / 255;
  }
}
