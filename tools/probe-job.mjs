/**
 * Re-runs one probe job of a finished `reproduce` sweep into that sweep's folder, as a sweep
 * worker would: how docs/benchmark.md timed a probe job, measured its memory and compared its
 * files before and after a change. Work on a copy of the folder, and delete the probe's own
 * folder (DIR/probes/ID) first.
 *
 *   npm run build && cp -r outputs/reproduce /tmp/rp && rm -r /tmp/rp/probes/landscape-sigmoid7-s1
 *   /usr/bin/time -f '%e s %M KB' node tools/probe-job.mjs /tmp/rp landscape-sigmoid7-s1 [dataDir]
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [dir, id, dataDir = path.join(os.homedir(), '.cache', 'cifar10-mlp')] = process.argv.slice(2);
if (!dir || !id) {
  console.error('usage: node tools/probe-job.mjs SWEEP_DIR PROBE_ID [DATA_DIR]');
  process.exit(2);
}
const job = JSON.parse(readFileSync(path.join(dir, 'plan.json'), 'utf8')).jobs.find((j) => j.id === id);
if (!job || job.kind !== 'landscape') {
  console.error(`${dir}/plan.json: no probe job ${id}`);
  process.exit(2);
}
const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const { executeJob } = await import(pathToFileURL(path.join(dist, 'reproduce', 'execute.js')).href);
// One core, as each of the default sweep's two workers has on a 2-core machine.
const result = await executeJob(job, { outDir: dir, dataDir, cores: 1 });
console.log(result.headline);
process.exit(0);
