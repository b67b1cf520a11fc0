/**
 * report.html in a real browser: Chromium (Debian's package; .ci/run installs it) opens the
 * file from disk, and the test finds the claims table, the summary table and every chart
 * rendered, and checks that the page asked the network for nothing.
 *
 * Without Chromium the test is skipped on a developer's machine but FAILS in CI (CI=true),
 * so a CI image without the browser cannot pass silently.
 */
import { expect } from 'chai';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { finalize } from '../src/reports/finalize.js';
import { makeSyntheticReproduceDir, ARTICLE_WORLD } from './helpers/report-fixture.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

describe('report.html in headless Chromium', function () {
  this.timeout(60_000);
  let dir = '';
  let browser: Browser | null = null;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI === 'true') {
        throw new Error(
          `Chromium is missing at ${CHROMIUM}: the report's browser test needs it in CI (apt-get install chromium; .ci/run does)`,
        );
      }
      this.skip();
    }
    dir = makeSyntheticReproduceDir(ARTICLE_WORLD);
    await finalize(dir, new Date('2026-01-01T00:00:00Z'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the claims, the summary and every chart, loading nothing from the network', async () => {
    const page = await browser!.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const file = path.join(dir, 'report.html');
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

    // One row per claim part: 2 + 2 + 2 + 1 + 3 + 3 + 2 + 3.
    const claimRows = await page.locator('#claims tbody tr').count();
    expect(claimRows).to.equal(18);
    // The first row of each claim holds its overall verdict (third cell).
    const overall = await page
      .locator('#claims tbody tr')
      .evaluateAll((rows) =>
        (rows as unknown as { cells: { textContent: string }[] }[])
          .filter((r) => r.cells[0].textContent !== '')
          .map((r) => r.cells[2].textContent),
      );
    // The hand-made data are the article's world: every claim agrees.
    expect(overall).to.deep.equal(['agrees', 'agrees', 'agrees', 'agrees', 'agrees', 'agrees', 'agrees', 'agrees']);
    expect(await page.locator('#summary tbody tr').count()).to.equal(10);
    expect(await page.locator('#summary tbody tr').first().locator('td').first().textContent()).to.equal('sigmoid3');

    // (The callback runs in the page; the spec's TypeScript has no DOM types, hence the plain shape.)
    type Img = { alt: string; complete: boolean; naturalWidth: number; naturalHeight: number; src: string };
    const charts = await page.locator('figure.chart img').evaluateAll((imgs) =>
      (imgs as unknown as Img[]).map((img) => ({
        alt: img.alt,
        complete: img.complete,
        width: img.naturalWidth,
        height: img.naturalHeight,
        src: img.src.slice(0, 22),
      })),
    );
    expect(charts.map((c) => c.alt)).to.deep.equal([
      'Test accuracy against depth',
      'Sigmoid minus ReLU per depth',
      'Loss along one first-layer weight',
      'Back-propagated error per hidden layer',
      'Gradient norm against layer',
      'Gradient norm during training',
    ]);
    for (const c of charts) {
      expect(c.complete, c.alt).to.equal(true);
      expect(c.width, `${c.alt} rendered`).to.be.greaterThan(100);
      expect(c.height, `${c.alt} rendered`).to.be.greaterThan(50);
      expect(c.src).to.match(/^data:image\/(svg\+xml|png);/);
    }
    // Only the file itself and its data: URIs.
    expect(requests.filter((u) => !u.startsWith('data:') && u !== pathToFileURL(file).href)).to.deep.equal([]);
    await page.close();
  });

  it('report.md links the same charts as PNG files that exist beside it', () => {
    const md = readFileSync(path.join(dir, 'report.md'), 'utf8');
    const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    expect(links).to.deep.equal([
      'charts/accuracy-by-depth.png',
      'charts/sigmoid-minus-relu.png',
      'charts/landscape.png',
      'charts/deltas.png',
      'charts/gradients-by-layer.png',
      'charts/gradients-by-epoch.png',
    ]);
    for (const l of links) expect(existsSync(path.join(dir, l)), l).to.equal(true);
  });
});

describe('report.html in Japanese, in headless Chromium', function () {
  this.timeout(60_000);
  let dir = '';
  let browser: Browser | null = null;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI === 'true') throw new Error(`Chromium is missing at ${CHROMIUM} (apt-get install chromium; .ci/run does)`);
      this.skip();
    }
    dir = makeSyntheticReproduceDir(ARTICLE_WORLD);
    await finalize(dir, new Date('2026-01-01T00:00:00Z'), 'ja');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws the Japanese text with a CJK font (not as empty boxes), as the platform reports it', async () => {
    const page = await browser!.newPage();
    await page.goto(pathToFileURL(path.join(dir, 'report.html')).href, { waitUntil: 'load' });
    // The browser's own account of which installed font drew each element's glyphs: with no
    // font that has kana and kanji, Chromium draws them as boxes from a Latin font, and no CJK
    // family appears here (fonts-noto-cjk; .ci/run installs it).
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
    const fontsOf = async (selector: string) => {
      const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
      expect(nodeId, selector).to.be.greaterThan(0);
      return (await cdp.send('CSS.getPlatformFontsForNode', { nodeId })).fonts;
    };
    const isCjk = (family: string) => /CJK|Noto Sans JP|Noto Serif JP|IPA|Takao|VL Gothic/i.test(family);
    for (const selector of ['h1', '#claims th:nth-child(2)', 'blockquote.article[data-verbatim="true"]', 'span.verdict']) {
      const text = (await page.locator(selector).first().textContent()) ?? '';
      const japanese = [...text].filter((ch) => /[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]/.test(ch)).length;
      expect(japanese, `${selector} holds Japanese`).to.be.greaterThan(0);
      const fonts = await fontsOf(selector);
      const cjkGlyphs = fonts.filter((f) => isCjk(f.familyName)).reduce((a, f) => a + f.glyphCount, 0);
      expect(cjkGlyphs, `${selector}: ${JSON.stringify(fonts)}`).to.be.at.least(japanese);
    }
    // The verbatim quote is on the page as the article wrote it.
    expect(await page.locator('blockquote.article[data-verbatim="true"]').first().textContent()).to.include(
      '若干3層よりSigmoidは5層、ReLUは6層のニューラルネットのほうが精度は上でした',
    );
    // And the charts (SVG, drawn by Chromium itself) are whole images titled in Japanese.
    const alts = await page
      .locator('figure.chart img')
      .evaluateAll((imgs) => (imgs as unknown as { alt: string; naturalWidth: number }[]).map((i) => `${i.alt}:${i.naturalWidth > 100}`));
    expect(alts[0]).to.equal('層の数とテストの正解率:true');
    await page.close();
  });
});
