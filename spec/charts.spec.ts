/**
 * Charts: every function writes an SVG and a PNG, and the SVG holds the series it was given
 * (Vega labels each mark for screen readers: `aria-label="epoch: 3; ...; data: test"`, which
 * lets a test find each plotted line without parsing geometry).
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import {
  DEJAVU_DIR,
  chartFontOptions,
  specToSvg,
  svgToPng,
  writeAccuracyByDepthChart,
  writeGradientCharts,
  writeLandscapeChart,
  writeTrainingCurves,
  type ChartFiles,
} from '../src/charts/charts.js';

/** The `d` attribute and aria-label of every line mark in the SVG. */
function lineMarks(svg: string): { label: string; points: number }[] {
  const out: { label: string; points: number }[] = [];
  const re = /<path aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="line mark" d="([^"]*)"/g;
  for (let m = re.exec(svg); m; m = re.exec(svg)) out.push({ label: m[1], points: (m[2].match(/[ML]/g) ?? []).length });
  return out;
}

async function readChart(files: ChartFiles): Promise<{ svg: string; png: PNG }> {
  const svg = await readFile(files.svg, 'utf8');
  const png = PNG.sync.read(await readFile(files.png));
  expect(svg.startsWith('<svg')).to.equal(true);
  const width = Number(/<svg[^>]* width="(\d+)"/.exec(svg)![1]);
  expect(png.width, 'the PNG is the SVG at twice the size').to.equal(2 * width);
  // Not a blank image: some pixels are far from white.
  let inked = 0;
  for (let k = 0; k < png.data.length; k += 4) if (png.data[k] + png.data[k + 1] + png.data[k + 2] < 600) inked++;
  expect(inked).to.be.above(1000);
  return { svg, png };
}

describe('charts', function () {
  this.timeout(30000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'charts-spec-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('training curves: loss and accuracy, train and test, one line each with every epoch', async () => {
    const history = Array.from({ length: 6 }, (_, e) => ({
      epoch: e,
      trainLoss: 0.25 - 0.02 * e,
      testLoss: 0.26 - 0.015 * e,
      trainAccuracy: 0.5 + 0.05 * e,
      testAccuracy: 0.5 + 0.03 * e,
    }));
    const files = await writeTrainingCurves(dir, history, { title: 'my run' });
    expect(files).to.deep.equal({ svg: path.join(dir, 'curves.svg'), png: path.join(dir, 'curves.png') });
    const { svg } = await readChart(files);
    const lines = lineMarks(svg);
    expect(lines).to.have.length(4);
    expect(lines.every((l) => l.points === 6)).to.equal(true);
    expect(lines.filter((l) => /data: train/.test(l.label))).to.have.length(2);
    expect(lines.filter((l) => /data: test/.test(l.label))).to.have.length(2);
    expect(svg).to.contain('>my run<').and.contain('>accuracy<');
  });

  it('training curves: the validation line, sets scored at some epochs only joined, the chosen epoch marked', async () => {
    const scoredAt = [0, 1, 4, 5]; // test and train scored at these epochs only, as under 'when-needed'
    const history = Array.from({ length: 6 }, (_, e) => ({
      epoch: e,
      trainLoss: scoredAt.includes(e) ? 0.25 - 0.02 * e : NaN,
      testLoss: scoredAt.includes(e) ? 0.26 - 0.015 * e : NaN,
      trainAccuracy: scoredAt.includes(e) ? 0.5 + 0.05 * e : NaN,
      testAccuracy: scoredAt.includes(e) ? 0.5 + 0.03 * e : NaN,
      valLoss: 0.27 - 0.01 * e,
      valAccuracy: 0.5 + 0.02 * e,
    }));
    const { svg } = await readChart(await writeTrainingCurves(dir, history, { name: 'validated', title: 'my run', chosenEpoch: 4 }));
    const lines = lineMarks(svg);
    expect(lines).to.have.length(6);
    const validation = lines.filter((l) => /data: validation/.test(l.label));
    expect(validation.map((l) => l.points)).to.deep.equal([6, 6]);
    expect(lines.filter((l) => /data: test/.test(l.label)).map((l) => l.points)).to.deep.equal([4, 4]);
    expect(svg).to.contain('epoch 4, the lowest validation loss');
    expect(svg.match(/aria-roledescription="rule mark"/g) ?? []).to.have.length(2);
  });

  it('training curves survive a diverged run (NaN losses)', async () => {
    const files = await writeTrainingCurves(
      dir,
      [
        { epoch: 0, trainLoss: 0.25, testLoss: 0.25, trainAccuracy: 0.5, testAccuracy: 0.5 },
        { epoch: 1, trainLoss: NaN, testLoss: NaN, trainAccuracy: 0.5, testAccuracy: 0.5 },
      ],
      { name: 'diverged' },
    );
    await readChart(files);
  });

  it('landscape: one panel per weight, ReLU block left of Sigmoid, the original value marked', async () => {
    const series = ['sigmoid7', 'relu7'].flatMap((config) =>
      [
        [3, 1],
        [500, 7],
        [1000, 149],
      ].map(([i, j]) => {
        const values = Array.from({ length: 21 }, (_, p) => -2 + 0.2 * p);
        const losses = values.map((v) => (config === 'relu7' ? 0.2 + 0.01 * (v - 0.3) ** 2 : 0.2 + 0.02 / (1 + Math.exp(-v))));
        return { config, activation: config.replace('7', ''), weightI: i, weightJ: j, original: 0.05, values, losses };
      }),
    );
    const files = await writeLandscapeChart(dir, series);
    const { svg } = await readChart(files);
    const lines = lineMarks(svg);
    expect(lines).to.have.length(6);
    expect(lines.every((l) => l.points === 21)).to.equal(true);
    // Each panel is headed by its weight, once per block.
    for (const w of ['W1[3, 1]', 'W1[500, 7]', 'W1[1000, 149]']) expect(svg.split(`>${w}<`)).to.have.length(3);
    expect(lines.filter((l) => /activation: relu/.test(l.label))).to.have.length(3);
    expect(svg.indexOf('relu7 (relu)')).to.be.above(0).and.below(svg.indexOf('sigmoid7 (sigmoid)'));
    // A rule at the original value in every panel, and a dot at each minimum.
    expect(svg.match(/aria-roledescription="rule mark"/g) ?? []).to.have.length(6);
    expect(svg.match(/aria-roledescription="point"/g) ?? []).to.have.length(6);
  });

  it('gradients: norm per layer on a log axis, against layer and against epoch, runs side by side', async () => {
    const stats = ['sigmoid7', 'relu7'].flatMap((run) =>
      [0, 1, 2].flatMap((epoch) =>
        [1, 2, 3, 4].map((layer) => ({
          run,
          epoch,
          layer,
          meanAbs: 1e-4,
          l2: (run === 'relu7' ? 1 : 4 ** (layer - 4)) * 1e-2 * (1 + epoch),
        })),
      ),
    );
    const { byLayer, byEpoch } = await writeGradientCharts(dir, stats);
    const layerSvg = (await readChart(byLayer)).svg;
    const epochSvg = (await readChart(byEpoch)).svg;
    expect(lineMarks(layerSvg), 'one line per run and epoch').to.have.length(6);
    expect(lineMarks(epochSvg), 'one line per run and layer').to.have.length(8);
    expect(layerSvg).to.contain('>sigmoid7<').and.contain('>relu7<');
    // Log axis: labelled at powers of ten spanning 1.6e-4 .. 3e-2.
    for (const tick of ['1e-4', '1e-3', '1e-2', '1e-1']) expect(layerSvg).to.contain(`>${tick}<`);
  });

  it('gradients: a layer whose gradient is exactly 0 is left out instead of breaking the log scale', async () => {
    const { byLayer } = await writeGradientCharts(
      dir,
      [
        { epoch: 0, layer: 1, meanAbs: 0, l2: 0 },
        { epoch: 0, layer: 2, meanAbs: 1e-3, l2: 1e-2 },
        { epoch: 0, layer: 3, meanAbs: 1e-2, l2: 1e-1 },
      ],
      { name: 'dead' },
    );
    const lines = lineMarks((await readChart(byLayer)).svg);
    expect(lines).to.have.length(1);
    expect(lines[0].points).to.equal(2);
  });

  it('accuracy by depth: a mean line per activation, a dot per seed', async () => {
    const rows = ['sigmoid', 'relu'].flatMap((activation) =>
      [3, 4, 5, 6, 7].flatMap((depth) =>
        [1, 2, 3].map((seed) => ({ activation, depth, seed, testAccuracy: 0.68 + 0.005 * depth + 0.002 * seed })),
      ),
    );
    const { svg } = await readChart(await writeAccuracyByDepthChart(dir, rows));
    const lines = lineMarks(svg);
    expect(lines).to.have.length(2);
    expect(lines.every((l) => l.points === 5)).to.equal(true);
    expect(lines.map((l) => /activation: (\w+)/.exec(l.label)![1]).sort()).to.deep.equal(['relu', 'sigmoid']);
    // 30 seed dots plus 10 mean points on the lines.
    expect(svg.match(/aria-roledescription="point"/g) ?? []).to.have.length(40);
    expect(svg).to.contain('mean over 3 seeds');
  });

  it('renders a PNG even without the DejaVu fonts (resvg then uses the system fonts, or draws no text)', async () => {
    expect(chartFontOptions('/no/such/dir')).to.deep.equal({ loadSystemFonts: true });
    if (existsSync(DEJAVU_DIR)) expect(chartFontOptions().fontFiles!.length).to.be.above(0);
    const svg = await specToSvg({
      data: {
        values: [
          { x: 1, y: 1 },
          { x: 2, y: 3 },
        ],
      },
      mark: 'line',
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
    });
    const png = PNG.sync.read(Buffer.from(svgToPng(svg, '/no/such/dir')));
    expect(png.width).to.be.above(100);
  });
});
