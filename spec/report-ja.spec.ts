/**
 * The report in Japanese (`--lang ja`): the same numbers and the same CSV files as the English
 * report, the program's words in Japanese, each claim beside the article's own words (a quote
 * only where the article's sentence is the text, a paraphrase said to be one otherwise), and
 * chart PNGs whose Japanese titles are drawn with the CJK font.
 */
import { expect } from 'chai';
import { existsSync, promises as fs, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { finalize } from '../src/reports/finalize.js';
import { judgeClaims, MARGINS } from '../src/reports/claims/registry.js';
import { reportStrings } from '../src/reports/i18n.js';
import { CJK_FONT_FILES, DEJAVU_DIR, svgToPng } from '../src/charts/charts.js';
import { reportCommand } from '../src/cli/report.js';
import { UserError } from '../src/util/errors.js';
import { makeSyntheticReproduceDir, ARTICLE_WORLD } from './helpers/report-fixture.js';
import { runCommandInProcess } from './helpers/run-command.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const BEST_DEPTH_QUOTE = '若干3層よりSigmoidは5層、ReLUは6層のニューラルネットのほうが精度は上でした';
const NEEDS_TWO_QUOTE = 'Sigmoidは最大が1のため2の出力を出すことはできません';

async function runCli(args: string[]): Promise<{ code: number; stderr: string }> {
  const r = await runCommandInProcess(reportCommand, args);
  if (!r.error) return { code: 0, stderr: '' };
  if (!(r.error instanceof UserError)) throw r.error;
  return { code: r.error.exitCode, stderr: r.error.message };
}

/** Pixels darker than mid-grey in rows [top, bottom) of a PNG. */
function darkPixels(png: Uint8Array, top: number, bottom: number): number {
  const img = PNG.sync.read(Buffer.from(png));
  let dark = 0;
  for (let y = top; y < Math.min(bottom, img.height); y++) {
    for (let x = 0; x < img.width; x++) {
      const i = 4 * (y * img.width + x);
      if (img.data[i] + img.data[i + 1] + img.data[i + 2] < 3 * 128) dark++;
    }
  }
  return dark;
}

describe('report --lang ja', function () {
  this.timeout(120_000);
  let en = '';
  let ja = '';
  let tmp = '';
  before(async () => {
    en = makeSyntheticReproduceDir(ARTICLE_WORLD);
    ja = makeSyntheticReproduceDir(ARTICLE_WORLD);
    await finalize(en, NOW, 'en');
    await finalize(ja, NOW, 'ja');
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'report-ja-'));
  });
  after(() => {
    for (const d of [en, ja, tmp]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('writes the same runs.csv, claims.csv and summary.csv, byte for byte, as the English report', () => {
    for (const f of ['runs.csv', 'claims.csv', 'summary.csv']) {
      const a = readFileSync(path.join(en, f));
      expect(a.length, f).to.be.greaterThan(100);
      expect(readFileSync(path.join(ja, f)).equals(a), `${f} differs between en and ja`).to.equal(true);
    }
  });

  it('says its headings and verdicts in Japanese, with the numbers of the English report', () => {
    const md = readFileSync(path.join(ja, 'report.md'), 'utf8');
    const mdEn = readFileSync(path.join(en, 'report.md'), 'utf8');
    expect(md).to.match(/^# 再現レポート：CIFAR-10 の飛行機と船、Sigmoid と ReLU、勾配消失問題$/m);
    // The fixture's runs record no activations, so its report has no trajectory section.
    const absent = ['注記', reportStrings('ja').headings.trajectories];
    for (const h of Object.values(reportStrings('ja').headings).filter((x) => !x.startsWith('損失の地形') && !absent.includes(x))) {
      expect(md, h).to.include(`## ${h}\n`);
    }
    // The article's world: every claim agrees, in README.ja.md's word.
    expect(md.match(/^判定: \*\*一致\*\*\.$/gm)).to.have.length(8);
    expect(md).to.not.match(/Verdict:|The article's claims|agrees \|/);
    // Every estimate the English claims table prints, the Japanese one prints too (e.g. "69.5 [...] points, n = 3").
    const estimates = [...mdEn.matchAll(/\| (-?\d+\.\d+ \[[^\]]+\][^|]*n = \d+) \|/g)].map((m) => m[1]);
    expect(estimates.length).to.be.greaterThan(5);
    for (const e of estimates) expect(md).to.include(e);
    // How verdicts are reached, and the author's explanation, in Japanese; the claims' margin statements stay English.
    expect(md).to.include('各部分：95 % 信頼区間が主張の範囲の内側なら一致、外側なら矛盾、境界をまたげば判定不能。');
    expect(md).to.match(
      /^判定の幅（実行の判定より前に、各主張のモジュール src\/reports\/claims\/ で固定）：.*記事自身のテストデータ 400 枚/m,
    );
    expect(md).to.match(/^記事は、深い Sigmoid のネットワークがうまく学習できない理由を/m);
    expect(md).to.match(/^主張 5 の曲線を、ほかの平坦さの下限と内側の幅で数え直したもの/m);
    // The summary table's rows are the same cells under Japanese headers.
    expect(md).to.include('| 構成 | 活性化関数 | 層の数 |');
    const sigmoid3 = (s: string) => s.split('\n').find((l) => l.startsWith('| sigmoid3 |'));
    expect(sigmoid3(md)).to.equal(sigmoid3(mdEn));
  });

  it("quotes the article's own sentences and marks every paraphrase as one", () => {
    const claims = judgeClaims([], MARGINS);
    const verbatim = claims.filter((c) => c.articleJa.verbatim);
    expect(verbatim.map((c) => [c.id, c.articleJa.text])).to.deep.equal([
      ['best-depth', BEST_DEPTH_QUOTE],
      ['needs-two', NEEDS_TWO_QUOTE],
    ]);
    const md = readFileSync(path.join(ja, 'report.md'), 'utf8');
    const html = readFileSync(path.join(ja, 'report.html'), 'utf8');
    for (const c of claims) {
      expect(c.articleJa.text).to.match(/[\u3040-\u30ff\u4e00-\u9fff]/);
      if (c.articleJa.verbatim) {
        expect(md).to.include(`> 記事の原文：「${c.articleJa.text}」`);
        expect(md).to.include(`### ${c.number}. 「${c.articleJa.text}」`);
      } else {
        expect(md).to.include(`> 記事の要旨（原文ではなく要約）：${c.articleJa.text}`);
        expect(md).to.include(`### ${c.number}. ${c.articleJa.text}（要約）`);
        expect(md, `${c.id}: a paraphrase printed as a quote`).to.not.include(`「${c.articleJa.text}」`);
      }
    }
    expect(html).to.include('<html lang="ja">');
    expect(html.match(/<blockquote class="article" data-verbatim="true">/g)).to.have.length(2);
    expect(html.match(/<blockquote class="article" data-verbatim="false">/g)).to.have.length(6);
  });

  it('titles the charts in Japanese, axes included', () => {
    const svg = readFileSync(path.join(ja, 'charts', 'accuracy-by-depth.svg'), 'utf8');
    expect(svg).to.include('層の数とテストの正解率');
    expect(svg).to.include('層の数（入力 + 中間層 + 出力）');
    expect(svg).to.include('テストの正解率（%）');
    const diff = readFileSync(path.join(ja, 'charts', 'sigmoid-minus-relu.svg'), 'utf8');
    expect(diff).to.include('テストの正解率の差（ポイント）');
    const html = readFileSync(path.join(ja, 'report.html'), 'utf8');
    expect(html).to.include('alt="層の数とテストの正解率"');
  });

  it('draws the Japanese chart titles in the PNG with the CJK font, not as nothing', function () {
    const cjk = CJK_FONT_FILES.some((f) => existsSync(f));
    if (!cjk || !existsSync(DEJAVU_DIR)) {
      if (process.env.CI === 'true') throw new Error('the CJK font (fonts-noto-cjk) or DejaVu is missing: .ci/run installs them');
      this.skip();
    }
    const svg = readFileSync(path.join(ja, 'charts', 'accuracy-by-depth.svg'), 'utf8');
    const written = readFileSync(path.join(ja, 'charts', 'accuracy-by-depth.png'));
    const withCjk = svgToPng(svg);
    const dejavuOnly = svgToPng(svg, DEJAVU_DIR, []);
    expect(Buffer.from(withCjk).equals(written), 'the written PNG is the render with the CJK font').to.equal(true);
    // The title and subtitle sit in the top ~45 SVG pixels (x2 in the PNG): with DejaVu alone
    // resvg has no kana or kanji and leaves them out; with Noto Sans CJK they are drawn.
    const titleRows = [0, 90] as const;
    const drawn = darkPixels(withCjk, ...titleRows);
    const without = darkPixels(dejavuOnly, ...titleRows);
    expect(drawn, `title pixels with CJK ${drawn}, without ${without}`).to.be.greaterThan(without + 500);
    // The English chart's title is drawn by DejaVu alone, so the font only adds what DejaVu lacks.
    const enSvg = readFileSync(path.join(en, 'charts', 'accuracy-by-depth.svg'), 'utf8');
    expect(Buffer.from(svgToPng(enSvg)).equals(Buffer.from(svgToPng(enSvg, DEJAVU_DIR, [])))).to.equal(true);
  });

  it('report --runs --lang ja writes the Japanese report and the same claims.csv; an unknown language is refused', async () => {
    const out = path.join(tmp, 'ja');
    const r = await runCli(['report', '--runs', path.join(ja, 'runs.csv'), '--out', out, '--lang', 'ja']);
    expect(r.code, r.stderr).to.equal(0);
    expect(readFileSync(path.join(out, 'claims.csv'), 'utf8')).to.equal(readFileSync(path.join(en, 'claims.csv'), 'utf8'));
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).to.match(/^# runs\.csv のレポート：/m);
    expect(md).to.include('--lang ja`');
    expect(md).to.include(`記事の原文：「${BEST_DEPTH_QUOTE}」`);
    const bad = await runCli(['report', '--runs', path.join(ja, 'runs.csv'), '--out', path.join(tmp, 'fr'), '--lang', 'fr']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/--lang/);
    expect(existsSync(path.join(tmp, 'fr'))).to.equal(false);
  });
});
