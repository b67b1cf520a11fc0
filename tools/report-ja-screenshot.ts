/**
 * The screenshot of the Japanese report in docs/img/report-ja.png: the test fixture's sweep
 * (spec/helpers/report-fixture.ts, the article's world, hand-made numbers), finished with
 * `--lang ja`, opened from disk in headless Chromium and photographed from the top (title,
 * claims table and the first claims, quoted in the article's words). Needs Chromium and
 * fonts-noto-cjk (Debian packages; .ci/run installs both).
 *
 *   npx tsx tools/report-ja-screenshot.ts [out=docs/img/report-ja.png]
 */
import { rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { finalize } from '../src/reports/finalize.js';
import { makeSyntheticReproduceDir, ARTICLE_WORLD } from '../spec/helpers/report-fixture.js';

const out = process.argv[2] ?? 'docs/img/report-ja.png';
const dir = makeSyntheticReproduceDir(ARTICLE_WORLD);
try {
  await finalize(dir, new Date('2026-01-01T00:00:00Z'), 'ja');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    await page.goto(pathToFileURL(path.join(dir, 'report.html')).href, { waitUntil: 'load' });
    await page.screenshot({ path: out });
    process.stdout.write(`${out}\n`);
  } finally {
    await browser.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
