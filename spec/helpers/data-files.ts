/** Small helpers for the data specs: hand-made batch files and a snapshot of a directory tree. */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { IMAGE_BYTES, PLANE_BYTES, RECORD_BYTES } from '../../src/data/checksums.js';

/** One hand-made image: a label and either a uniform colour or explicit 3,072 plane-major bytes. */
export type HandImage = { label: number; rgb: [number, number, number] } | { label: number; pixels: Uint8Array };

export function record(img: HandImage): Buffer {
  const rec = Buffer.alloc(RECORD_BYTES);
  rec[0] = img.label;
  if ('rgb' in img) {
    for (let c = 0; c < 3; c++) rec.fill(img.rgb[c]!, 1 + c * PLANE_BYTES, 1 + (c + 1) * PLANE_BYTES);
  } else {
    if (img.pixels.length !== IMAGE_BYTES) throw new Error('pixels must be 3072 bytes');
    rec.set(img.pixels, 1);
  }
  return rec;
}

export async function writeBatch(file: string, images: HandImage[]): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, Buffer.concat(images.map(record)));
}

/** Every file and directory under `dir` with its size, mtime and SHA-1: equal snapshots mean nothing changed. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(d: string): Promise<void> {
    let entries;
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      const rel = path.relative(dir, p);
      const st = await fs.stat(p);
      if (e.isDirectory()) {
        out[rel + '/'] = 'dir';
        await walk(p);
      } else {
        out[rel] = `${st.size} ${st.mtimeMs} ${createHash('sha1')
          .update(await fs.readFile(p))
          .digest('hex')}`;
      }
    }
  }
  await walk(dir);
  return out;
}
