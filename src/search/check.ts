/**
 * The check of the search's early stops (configs/rules/search-audit-check.json, and
 * configs/rules/README.md for why it exists): which screen runs are run again to their maximum,
 * and what their longer runs say. Pure functions of the rules and the search's outcomes; the
 * command that runs them is run-check.ts.
 *
 *   population  the screen's runs that did not learn and stopped early (patience or stall); a
 *               run the search already ran to its maximum counts by that run and is not in it
 *   sample      per batch size, `perBatch` of the population, drawn with the rules' seed
 *   nearest     the `count` of the population with the highest validation accuracy
 *   fan-in      every screen run of the cells whose initialisation is `fanIn.init`
 */
import { z } from 'zod';
import { UsageError } from '../util/errors.js';
import { MAX_SEED } from '../config/schema.js';
import { Rng } from '../util/rng.js';
import { wilson } from '../stats/stats.js';
import type { SearchConfig } from './config.js';
import { readRulesFile } from './rules.js';
import { compareIds, highestValAccuracy, runId, runKey, type CellChoice, type Outcomes, type RunOutcome, type SearchRun } from './plan.js';

const Fraction = z.number().gt(0).lt(1);

const CheckRulesSchema = z.object({
  version: z.number().int().min(1),
  sample: z.object({ perBatch: z.number().int().min(0), seed: z.number().int().min(0).max(MAX_SEED) }),
  nearest: z.object({ count: z.number().int().min(0) }),
  fanIn: z.object({ init: z.string().min(1) }),
  interpretation: z.object({ threshold: Fraction, alternatives: z.array(Fraction) }),
});

export interface CheckRules {
  file: string;
  /** SHA-256 of the file's bytes. */
  sha256: string;
  version: number;
  perBatch: number;
  sampleSeed: number;
  nearest: number;
  /** The grid's name of the initialisation whose cells are run again whole. */
  fanInInit: string;
  /** The proportion the interval is read against, then the alternatives reported beside it. */
  threshold: number;
  alternatives: number[];
}

export function loadCheckRules(file: string): CheckRules {
  const { data: r, sha256 } = readRulesFile(file, CheckRulesSchema);
  return {
    file,
    sha256,
    version: r.version,
    perBatch: r.sample.perBatch,
    sampleSeed: r.sample.seed,
    nearest: r.nearest.count,
    fanInInit: r.fanIn.init,
    threshold: r.interpretation.threshold,
    alternatives: r.interpretation.alternatives,
  };
}

/** Stop reasons of a run that ended before its maximum epoch by the screen's rules. */
const EARLY_STOPS: readonly string[] = ['patience', 'stalled'];

/** The screen's runs that did not learn and stopped early, in the order of their run ids. */
export function checkPopulation(outcomes: Outcomes): RunOutcome[] {
  return [...outcomes.values()]
    .filter((o) => o.run.variant === 'screen' && !o.learned && EARLY_STOPS.includes(o.stopReason))
    .sort((a, b) => compareIds(runId(a.run), runId(b.run)));
}

interface CheckSample {
  batchSize: number;
  /** How many runs of this batch size are in the population. */
  population: number;
  drawn: RunOutcome[];
}

export interface CheckSelection {
  samples: CheckSample[];
  nearest: RunOutcome[];
  fanIn: RunOutcome[];
  /** Every run to run again to its maximum, once each, in the order sample, nearest, fan-in. */
  runs: SearchRun[];
  /** Which parts of the check each run (by run key) belongs to. */
  groups: ReadonlyMap<string, CheckGroup[]>;
}

type CheckGroup = 'sample' | 'nearest' | 'fan-in';

export function selectCheck(config: SearchConfig, rules: CheckRules, outcomes: Outcomes): CheckSelection {
  // The quick part's grid has one initialisation: there the fan-in part is empty rather than refused.
  if (!config.quick && !config.axes.init.some((i) => i.name === rules.fanInInit))
    throw new UsageError(`${rules.file}: fanIn.init "${rules.fanInInit}" is not an initialisation of the search's grid`);
  const population = checkPopulation(outcomes);
  const samples = config.axes.batchSize.map((batchSize) => {
    const pool = population.filter((o) => o.run.cell.batchSize === batchSize);
    const order = Rng.stream(rules.sampleSeed, `search-audit-check-b${batchSize}`).permutation(pool.length);
    return { batchSize, population: pool.length, drawn: [...order.slice(0, rules.perBatch)].map((i) => pool[i]) };
  });
  // Highest validation accuracy first; the population's order (run id) breaks a tie.
  const nearest = highestValAccuracy(population, rules.nearest);
  const fanIn = [...outcomes.values()]
    .filter((o) => o.run.variant === 'screen' && o.run.cell.init.name === rules.fanInInit)
    .sort((a, b) => compareIds(runId(a.run), runId(b.run)));
  const groups = new Map<string, CheckGroup[]>();
  const runs: SearchRun[] = [];
  const add = (o: RunOutcome, group: CheckGroup) => {
    const key = runKey(o.run);
    const found = groups.get(key);
    if (found) {
      if (!found.includes(group)) found.push(group);
      return;
    }
    groups.set(key, [group]);
    runs.push({ ...o.run, variant: 'full' });
  };
  for (const s of samples) for (const o of s.drawn) add(o, 'sample');
  for (const o of nearest) add(o, 'nearest');
  for (const o of fanIn) add(o, 'fan-in');
  return { samples, nearest, fanIn, runs, groups };
}

export type CheckCall = 'credible' | 'understates' | 'inconclusive';

/** The rules' reading of a Wilson interval of the proportion that learns, against a threshold proportion. */
export function checkCall(interval: { low: number; high: number }, threshold: number): CheckCall {
  // An empty sample's interval is NaN: neither comparison holds, so it is inconclusive.
  if (interval.high < threshold) return 'credible';
  if (interval.low > threshold) return 'understates';
  return 'inconclusive';
}

/** One run of the check: its screen run and its run to the maximum. */
export interface CheckRow {
  run: SearchRun;
  groups: CheckGroup[];
  screen: RunOutcome;
  full: RunOutcome;
  /** Whether the run's rate is one stage C chose for its network in its cell (either arm). */
  chosenRate: boolean;
}

export function checkRows(selection: CheckSelection, screen: Outcomes, full: Outcomes, choices: readonly CellChoice[]): CheckRow[] {
  return selection.runs.map((run) => {
    const key = runKey(run);
    const s = screen.get(key);
    const f = full.get(key);
    if (!s || !f) throw new Error(`check: no ${s ? 'longer' : 'screen'} run for ${key}`);
    const chosenRate = choices.some((c) => c.cell.id === run.cell.id && c.rates.get(run.network) === run.learningRate);
    return { run, groups: selection.groups.get(key)!, screen: s, full: f, chosenRate };
  });
}

/** Per batch size: how many sampled runs learn when run to the maximum, the interval and the calls. */
export interface CheckSummary {
  batchSize: number;
  population: number;
  sampled: number;
  learned: number;
  low: number;
  high: number;
  /** The call at the rules' threshold, then at each alternative, in the rules' order. */
  calls: { threshold: number; call: CheckCall }[];
}

export function summariseCheck(rules: CheckRules, selection: CheckSelection, rows: readonly CheckRow[]): CheckSummary[] {
  const byKey = new Map(rows.map((r) => [runKey(r.run), r]));
  return selection.samples.map((s) => {
    const learned = s.drawn.filter((o) => byKey.get(runKey(o.run))?.full.learned === true).length;
    const ci = wilson(learned, s.drawn.length);
    return {
      batchSize: s.batchSize,
      population: s.population,
      sampled: s.drawn.length,
      learned,
      low: ci.low,
      high: ci.high,
      calls: [rules.threshold, ...rules.alternatives].map((threshold) => ({
        threshold,
        call: checkCall(ci, threshold),
      })),
    };
  });
}
