/**
 * Preloaded into a child (`node --import <this file> dist/run.js train ...`) by the memory
 * measurement: when the process exits, writes its peak resident set size (kilobytes, from
 * getrusage via process.resourceUsage) to the file named by BENCH_RSS_FILE.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.BENCH_RSS_FILE;
if (target) {
  process.on('exit', (code) => {
    writeFileSync(target, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, exitCode: code }));
  });
}
