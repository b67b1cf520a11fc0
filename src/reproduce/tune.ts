/**
 * The learning rates of a reproduction that follows a rules file (configs/rules/confirmatory.json):
 * each network chooses its own rate on the validation split, at the budget it is judged at.
 *
 *   1. tuning: every network at every rate of the rules' grid for its activation, on the tuning
 *      seeds, each run trained to the stopping rule (a plan on the engine, in OUT/tune/);
 *   2. edge:   a network whose choice sits at the end of its grid tries one rate a factor of 3
 *      beyond it, with the same seeds, once (OUT/tune-edge/);
 *   3. choice: the rule of src/experiment/select-lr.ts (selectRatePerNetwork), written to
 *      OUT/learning-rates.json and .csv (the rate x seed table) before the judged runs start.
 * The test set is never looked at: tuning runs score the validation split for every choice, and
 * the judged seeds never take part. A killed run resumes in whichever folder it stopped.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { writeCsv, type CsvRow } from '../util/csv.js';
import type { RunConfig } from '../config/schema.js';
import { DEFAULT_MECHANISM_SETTINGS } from '../probes/mechanism.js';
import { LandscapeProbeSettingsSchema } from '../probes/landscape-settings.js';
import { planRuns, type Plan } from '../experiment/job.js';
import { runPlan, type RunPlanOptions, type RunPlanOutcome } from '../experiment/run-plan.js';
import { readTrainRecords } from '../experiment/tuned-groups.js';
import type { TrainRecord } from '../experiment/store.js';
import { selectRatePerNetwork, type NetworkRateChoice, type PerNetworkTuningRun } from '../experiment/select-lr.js';
import type { ReproduceConfig } from './config.js';
import { gridFor, type ConfirmatoryRules } from './rules.js';

/** The folders and files the rate choice leaves in a reproduce folder (beside the judged plan's). */
export const TUNING_ENTRIES = ['tune', 'tune-edge', 'learning-rates.json', 'learning-rates.csv'] as const;
const LEARNING_RATES_FILE = 'learning-rates.json';

type TuneOptions = Omit<RunPlanOptions, 'plan' | 'source' | 'settings' | 'label' | 'finish'> & { configFile: string };

export type TuneOutcome =
  | { interrupted: true; outcome: Omit<RunPlanOutcome, 'final'> }
  | { interrupted: false; rates: Map<string, number>; choices: NetworkRateChoice[] };

/** A network's run config at a tuning rate: no probes' recordings, no full test split (the test set plays no part). */
function tuningConfig(base: RunConfig, name: string, learningRate: number): RunConfig {
  const { description: _description, ...rest } = base;
  return {
    ...rest,
    name,
    learningRate,
    recordGradients: false,
    recordActivations: false,
    data: { ...rest.data, fullTest: false },
  };
}

function tuningName(network: string, learningRate: number): string {
  return `${network}-lr${learningRate}`;
}

function tuningPlan(rc: ReproduceConfig, rules: ConfirmatoryRules, pairs: readonly [string, number][]): Plan {
  const configs = new Map<string, RunConfig>();
  for (const [network, rate] of pairs) {
    const base = rc.runConfigs.get(network);
    if (!base) throw new Error(`tuning: config "${network}" was not loaded`);
    configs.set(tuningName(network, rate), tuningConfig(base, tuningName(network, rate), rate));
  }
  const { first, count } = rules.seeds.tuning;
  return planRuns({
    configs,
    seeds: Array.from({ length: count }, (_, i) => first + i),
    recordGradients: new Set(),
    probed: [],
    allSeeds: false,
    probe: LandscapeProbeSettingsSchema.parse({}),
    mechanism: DEFAULT_MECHANISM_SETTINGS,
  });
}

function tuningRunOf(record: TrainRecord, network: string): PerNetworkTuningRun {
  return {
    network,
    learningRate: record.config.learningRate,
    seed: record.seed,
    valLosses: record.history.filter((h) => h.epoch >= 1).map((h) => h.valLoss),
    atMaximum: record.stopReason === 'maximum',
  };
}

export async function tuneLearningRates(rc: ReproduceConfig, rules: ConfirmatoryRules, opts: TuneOptions): Promise<TuneOutcome> {
  if (opts.shard && opts.shard.count > 1)
    throw new UsageError(
      `--shard: ${opts.configFile} follows ${rules.file}, whose learning rates are chosen first from every tuning run; run it on one machine`,
    );
  const say = (line: string): void => void (opts.stream ?? process.stderr).write(`${line}\n`);
  const networks = rc.settings.configs;
  const grids = new Map(networks.map((n) => [n, gridFor(rules, rc.runConfigs.get(n)!.activation)] as const));
  const stage = async (dir: 'tune' | 'tune-edge', pairs: [string, number][]) => {
    const from = opts.reuseFrom && path.join(opts.reuseFrom, dir);
    return runPlan({
      ...opts,
      plan: tuningPlan(rc, rules, pairs),
      source: opts.configFile,
      settings: { stage: dir, rules: rules.file, rulesSha256: rules.sha256 },
      label: `reproduce (${dir === 'tune' ? 'learning rates' : 'learning rates beyond the grid'})`,
      outDir: path.join(opts.outDir, dir),
      reuseFrom: from && existsSync(from) ? from : undefined,
    });
  };
  const recordsOf = (dir: string): PerNetworkTuningRun[] =>
    readTrainRecords(path.join(opts.outDir, dir)).map((r) => tuningRunOf(r, r.configName.replace(/-lr[^-]+$/, '')));
  const choose = (runs: PerNetworkTuningRun[]): NetworkRateChoice[] =>
    networks.flatMap((n) =>
      selectRatePerNetwork(
        runs.filter((r) => r.network === n),
        { atMaximumLimit: rules.learningRates.atMaximumLimit, grid: grids.get(n)! },
      ),
    );

  say(`reproduce: choosing each network's learning rate on the validation split (${rules.file})`);
  const grid = await stage(
    'tune',
    networks.flatMap((n) => grids.get(n)!.map((rate) => [n, rate] as [string, number])),
  );
  if (grid.interrupted) return { interrupted: true, outcome: grid };
  const runs = recordsOf('tune');
  let choices = choose(runs);
  const beyond = choices.filter((c) => c.edgeRate !== null).map((c) => [c.network, c.edgeRate!] as [string, number]);
  if (beyond.length > 0) {
    say(`reproduce: ${beyond.map(([n, r]) => `${n} ${r}`).join(', ')}: chosen at the grid's end; trying one rate beyond it`);
    const edge = await stage('tune-edge', beyond);
    if (edge.interrupted) return { interrupted: true, outcome: edge };
    // Chosen again among the grid and the rate beyond: the edge rule applies once.
    choices = choose([...runs, ...recordsOf('tune-edge')]).map((c) => ({ ...c, edgeRate: null }));
  }
  await writeChoices(opts.outDir, rules, choices);
  say(`reproduce: chosen on validation: ${choices.map((c) => `${c.network} ${c.learningRate}`).join(', ')}`);
  return { interrupted: false, rates: new Map(choices.map((c) => [c.network, c.learningRate])), choices };
}

export const LEARNING_RATE_COLUMNS = [
  'network',
  'learning_rate',
  'seed',
  'score',
  'at_maximum',
  'mean_score',
  'gap',
  'gap_se',
  'runs_at_maximum',
  'diverged',
  'eligible',
  'tied',
  'chosen',
] as const;

/** learning-rates.json (what the judged runs use, with the rules' hash) and the rate x seed table as CSV. */
async function writeChoices(outDir: string, rules: ConfirmatoryRules, choices: readonly NetworkRateChoice[]): Promise<void> {
  const rows: CsvRow[] = choices.flatMap((c) =>
    c.rows.flatMap((r) =>
      r.scores.map((s) => ({
        network: c.network,
        learning_rate: r.learningRate,
        seed: s.seed,
        score: s.score,
        at_maximum: s.atMaximum,
        mean_score: r.meanScore,
        gap: r.gap,
        gap_se: r.gapStandardError,
        runs_at_maximum: r.atMaximum,
        diverged: r.diverged,
        eligible: r.eligible,
        tied: r.tied,
        chosen: r.chosen,
      })),
    ),
  );
  await writeCsv(path.join(outDir, 'learning-rates.csv'), LEARNING_RATE_COLUMNS, rows);
  const record = {
    rules: { file: rules.file, version: rules.version, sha256: rules.sha256 },
    chosen: Object.fromEntries(choices.map((c) => [c.network, c.learningRate])),
    choices,
  };
  await writeFileAtomic(path.join(outDir, LEARNING_RATES_FILE), `${JSON.stringify(record, null, 2)}\n`);
}
