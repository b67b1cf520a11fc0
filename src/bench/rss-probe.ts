/**
 * Preloaded into a measured command and every process it starts (through NODE_OPTIONS, which
 * the sweeps' worker processes inherit): when a process exits, it writes its own peak resident
 * set size (kilobytes, from getrusage via process.resourceUsage) to <BENCH_RSS_DIR>/<pid>.json.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.env.BENCH_RSS_DIR;
if (dir) {
  process.on('exit', (code) => {
    writeFileSync(path.join(dir, `${process.pid}.json`), JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, exitCode: code }));
  });
}
