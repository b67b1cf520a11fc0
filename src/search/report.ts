/**
 * The search's report.md: which rules it followed (the rules file's SHA-256 and the commit that
 * last changed it), the grid and what each stage ran, which cells were screened, promoted and
 * judged with the rates chosen, the claims in the promoted cells (stage E) and the distance to
 * the article, and every caution the rules' "report" field requires. Written from the same
 * numbers as the CSV files beside it; it holds no time, so merged shards write the same bytes.
 */
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { lastCommitOf } from '../reports/protocol.js';
import { estimateText } from '../reports/claims-table.js';
import { claimNumber } from '../reports/claims/registry.js';
import type { SearchConfig } from './config.js';
import { DISTANCE_CAP, type CellDistance } from './distance.js';
import type { Judgement, ScreenDistance } from './judge.js';
import { promotedLearning, ratesText, type StageSummary } from './matrix.js';
import { cellsOf, type CellChoice, type Outcomes, type RunOutcome } from './plan.js';
import { judgedClaims, judgedFolder } from './verdicts.js';

export interface SearchReportInput {
  outcomes: Outcomes;
  choices: readonly CellChoice[];
  screen: readonly ScreenDistance[];
  promoted: readonly CellChoice[];
  fallback: boolean;
  judged: readonly RunOutcome[];
  judgements: readonly Judgement[];
  stages: readonly StageSummary[];
}

const name = (c: CellChoice): string => `${c.cell.id} (${c.arm})`;
const fixed = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '');

function distanceText(d: CellDistance): string {
  return `${fixed(d.distance)} (${d.claims.map((c) => `claim ${c.number}: ${fixed(c.distance)}`).join(', ')})`;
}

/** The cells of the search that the runs of other stages than A reached, in grid order. */
function screenedCells(input: SearchReportInput): string[] {
  return [...new Set(input.choices.filter((c) => c.screened).map((c) => c.cell.id))];
}

function renderSearchReport(config: SearchConfig, input: SearchReportInput): string {
  const r = config.rules;
  const cells = cellsOf(config);
  const points = cells.length * config.axes.learningRate.length;
  const commit = lastCommitOf(r.file);
  const stage = (s: string): StageSummary | undefined => input.stages.find((x) => x.stage === s);
  const runsOf = (s: string): number => stage(s)?.runs ?? 0;
  const passed = input.choices.filter((c) => c.passed);
  const lines: string[] = [];
  const out = (...more: string[]) => lines.push(...more);

  out(
    "# The search for the author's setting",
    '',
    `Rules: \`${r.file}\` (version ${r.version}), SHA-256 \`${r.sha256}\`, last changed in commit ${commit ? `\`${commit}\`` : 'unknown (not a git checkout, or the file is not committed)'}. ` +
      `Config: \`${config.source}\`${config.quick ? ', **the quick part** (`--quick`: a smoke run on part of the grid with a shorter budget, not the registered search)' : ''}.`,
    '',
    '## The grid and the stages',
    '',
    `${cells.length} cells (batch size ${config.axes.batchSize.join(', ')} x ${config.axes.init.length} initialisations x ${config.axes.bias.length} bias rules) x ` +
      `${config.axes.learningRate.length} learning rates (${config.axes.learningRate.join(', ')}) = ${points} points, x 2 arms (one rate for every network, ` +
      `or a rate per activation) = ${input.choices.length} (cell, arm) candidates; ${r.networks.length} networks, screening seeds ${r.seeds.screen.join(', ')}, ` +
      `promoted seeds ${r.seeds.promoted[0]}-${r.seeds.promoted[r.seeds.promoted.length - 1]}.`,
    '',
    '| stage | runs | stalled | learned | learned in the run it repeats | what |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  const what: Record<string, string> = {
    A: `${r.hardestFirst.join(', ')} at every point`,
    B: 'the other networks where the hardest learned',
    audit: 'screening runs at or below the stall bound, run again to their maximum',
    extend: 'stalled runs of cells where an audited run learned, to their maximum',
    B2: 'the runs B would have held had the longer runs been known',
    D: 'the promoted cells on the promoted seeds',
  };
  for (const s of input.stages)
    out(`| ${s.stage} | ${s.runs} | ${s.stalled} | ${s.learned} | ${s.learned_before} | ${what[s.stage] ?? ''} |`);
  out(
    '',
    `Audited: ${runsOf('audit')} runs; run to the maximum, ${stage('audit')?.learned ?? 0} of them learned, and ` +
      `${stage('audit')?.learned_before ?? 0} of them had already learned on the screen (the audit's pool is read by the validation ` +
      `accuracy at the last epoch, so it holds runs that learned and then fell). ` +
      `Passed the screen (stage C, every network learns at the chosen rates): ${passed.length} of ${input.choices.length} candidates. ` +
      `Promoted (stage D): ${input.promoted.length}${input.fallback ? ', by the fallback (no cell passed)' : ''}. Judged (stage E): ${input.judgements.length}.`,
    '',
    '## Cells screened, promoted and judged',
    '',
    `- Screened (stage A, ${r.hardestFirst.join(', ')}): all ${cells.length} cells.`,
    `- Screened with every network (stage B reached them): ${screenedCells(input).join(', ') || 'none'}.`,
    `- Promoted: ${input.promoted.map(name).join(', ') || 'none'}.`,
    `- Judged claim by claim: ${input.judgements.map((j) => name(j.choice)).join(', ') || 'none'}.`,
    '',
    '### The rates chosen per cell and arm',
    '',
    `Chosen on the validation split (stage C). Distance: to the article on the screening seeds (below); rank 1 is the nearest.`,
    '',
    '| cell | arm | rates | networks learning | passed | promoted | distance (screen) | rank |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  const screenOrder = input.screen.map((s, i) => ({ s, i })).sort((a, b) => a.s.distance.distance - b.s.distance.distance || a.i - b.i);
  const rankOf = new Map(screenOrder.map(({ s }, k) => [s.choice, k + 1]));
  for (const s of input.screen) {
    const c = s.choice;
    out(
      `| ${c.cell.id} | ${c.arm} | ${ratesText(config, c)} | ${c.learned}/${r.networks.length} | ${c.passed ? 'yes' : 'no'} | ${input.promoted.includes(c) ? 'yes' : 'no'} | ${fixed(s.distance.distance)} | ${rankOf.get(c)} |`,
    );
  }

  out('', '## The claims in the promoted cells (stage E)', '');
  if (input.fallback)
    out(
      `No cell passed the screen, so, as the rules say, the ${input.promoted.length} nearest (cell, arm) candidates by the distance on the screening seeds were promoted: ` +
        `${input.promoted.map(name).join(', ')}. Their verdicts describe settings in which not every network learns.`,
      '',
    );
  if (input.judgements.length === 0) out('No cell was promoted, so no claim was judged.', '');
  const notJudged = new Set<number>();
  for (const j of input.judgements) {
    const learning = promotedLearning(config, input.judged, j.choice);
    const shown = judgedClaims(j.claims);
    for (const c of j.claims) if (!shown.includes(c)) notJudged.add(c.number);
    out(
      `### ${name(j.choice)}`,
      '',
      `Rates ${ratesText(config, j.choice)}; ${learning} of ${r.networks.length} networks learn in at least ${r.learnsInSeeds} of the ${r.seeds.promoted.length} promoted seeds ` +
        `(${learning === r.networks.length ? 'the cell confirms learning' : 'the cell does not confirm learning'}). Distance to the article: ${distanceText(j.distance)}. ` +
        `Files: \`${judgedFolder(j.choice)}/\` (runs.csv, test-images.csv, claims.csv).`,
      '',
      '| claim | part | verdict | estimate [95 % interval] | region |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const c of shown) {
      out(`| ${c.number} | all | **${c.verdict}** | | ${c.claim} |`);
      for (const p of c.parts) out(`| ${c.number} | ${p.part} | ${p.verdict} | ${estimateText(p)} | ${p.region} |`);
    }
    out('');
  }
  const probed = ['landscape-shape', 'vanishing-gradient', 'needs-two', 'asymptote'].map(claimNumber);
  const unmeasured = [...notJudged].filter((n) => !probed.includes(n)).sort((a, b) => a - b);
  const needProbes = [...notJudged].filter((n) => probed.includes(n)).sort((a, b) => a - b);
  if (needProbes.length > 0)
    out(
      `Not judged: claims ${needProbes.join(', ')}. The promoted runs are training runs only: they run no landscape ` +
        `probe (claim ${claimNumber('landscape-shape')}), record no gradients (claim ${claimNumber('vanishing-gradient')}) and measure no ` +
        `mechanism (claims ${claimNumber('needs-two')}, ${claimNumber('asymptote')}), which those claims need.`,
      '',
    );
  if (unmeasured.length > 0)
    out(`Not measured: claims ${unmeasured.join(', ')} (the networks they compare are not among the search's).`, '');

  out(
    '## Distance to the article',
    '',
    `Registered before any cell ran (\`distance\` in the rules): per claim part 0 when the estimate lies inside the claim's region, else the distance ` +
      `to the region's nearest edge divided by the claim's margin (claim ${claimNumber('best-depth')}: the smallest (claimed - rival) + margin over the rivals); ` +
      `a claim's distance is the mean over its parts, capped at ${DISTANCE_CAP}; a cell's is the mean over claims ${r.distanceClaims.map(claimNumber).join(', ')}. ` +
      `A part without an estimate counts as ${DISTANCE_CAP}. Distances on the screening seeds use the validation accuracy in place of the test accuracy ` +
      '(no screening run scores the test set, and what chooses must choose on the validation split), with 2 seeds; they are not ranked with the promoted cells.',
    '',
  );
  const judgedOrder = [...input.judgements].sort((a, b) => a.distance.distance - b.distance.distance);
  if (judgedOrder.length > 0) {
    out('Promoted cells, nearest first (promoted seeds, full test split):', '');
    for (const j of judgedOrder) out(`- ${name(j.choice)}: ${distanceText(j.distance)}`);
    out('');
  }
  if (judgedOrder.length >= 2) {
    const [a, b] = judgedOrder;
    const changes = a.claims.flatMap((ca) => {
      const cb = b.claims.find((x) => x.id === ca.id)!;
      return ca.parts.flatMap((p) => {
        const q = cb.parts.find((x) => x.part === p.part);
        return q && q.verdict !== p.verdict ? [`claim ${ca.number} ${p.part}: ${p.verdict} -> ${q.verdict}`] : [];
      });
    });
    out(
      `Between the two nearest, ${name(a.choice)} and ${name(b.choice)}, the verdicts ${changes.length === 0 ? 'do not change' : `change: ${changes.join('; ')}`}.`,
      '',
    );
  }
  out('Nearest on the screening seeds (validation accuracy):', '');
  for (const { s } of screenOrder.slice(0, 5)) out(`- ${name(s.choice)}: ${distanceText(s.distance)}`);

  const parts = input.judgements.reduce(
    (a, j) => a + judgedClaims(j.claims).reduce((b, c) => b + c.parts.filter((p) => p.verdict !== 'not measured').length, 0),
    0,
  );
  out(
    '',
    '## How to read the verdicts',
    '',
    `- The promoted cells were selected so that all ${r.networks.length} networks learn. That favours claims 2-4 (depth changes accuracy little, ` +
      'the best depths, Sigmoid slightly ahead of ReLU) by design: a promoted cell\'s "agrees" is conditional on that selection and is not evidence ' +
      'that the article holds generally.',
    `- Up to ${r.maxPromoted} cells x about 17 claim parts are judged, each at 95 %, uncorrected for the number of verdicts; here ` +
      `${input.judgements.length} cells with ${parts} part verdicts in all. About 1 in 20 intervals misses its true value by chance alone, ` +
      'so one agreeing or contradicting part among them is weak evidence on its own.',
    `- The search (one rate per arm chosen from ${config.axes.learningRate.length}, on the screening seeds ${r.seeds.screen.join(', ')}) and the confirmatory run ` +
      '(`npm start`: a rate per network from 4, on 3 tuning seeds) answer different questions: the search asks under which training setting all ' +
      "the article's networks learn and what the claims are there; the confirmatory run asks what the claims are under the project's registered protocol.",
    `- The rules' fallback ranks cells by the distance on the screening seeds; this search computes it with the validation accuracy in place of the ` +
      'test accuracy, as nothing that chooses may look at the test set.',
    '',
    'Files: `matrix.csv` (cells x arms), `stages.csv`, `verdicts.csv` (promoted cells x claim parts), `distance.csv`, `charts/` ' +
      '(`matrix`, `screen`, `verdicts`, `distance`), and `E/<cell>-<arm>/` per judged cell.',
    '',
  );
  return lines.join('\n');
}

export async function writeSearchReport(dir: string, config: SearchConfig, input: SearchReportInput): Promise<string> {
  const file = path.join(dir, 'report.md');
  await writeFileAtomic(file, renderSearchReport(config, input));
  return file;
}
