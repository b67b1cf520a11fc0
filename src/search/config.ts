/**
 * configs/search.json: what `search` runs. The file names the pre-registered rules it follows
 * (configs/rules/search.json: the grid, the rules of every stage, read from the rules file
 * itself), the data sizes, the worker processes, and `quick`: a part of the registered grid and a
 * shorter budget, for a smoke run and the tests. The networks are the run configs the rules name,
 * JSON files beside this one (`sigmoid7` is `sigmoid7.json`), of which the search keeps the
 * architecture (widths, activations, targets, data classes) and sets the training itself.
 * Everything is loaded and checked before anything runs.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../util/errors.js';
import { parseJsonText, readTextFile } from '../util/json.js';
import { describeIssue, loadConfigFile } from '../config/load.js';
import type { RunConfig } from '../config/schema.js';
import { loadSearchRules, type BatchRules, type SearchRules } from './rules.js';

/** Most worker processes per core, as for reproduce. */
const JOBS_PER_CORE = 4;

const QuickSchema = z.strictObject({
  /** Values of the rules' axes to keep (each must be one of the rules'). */
  batchSize: z.array(z.number().int().min(1)).min(1).optional(),
  init: z.array(z.string()).min(1).optional(),
  bias: z.array(z.string()).min(1).optional(),
  learningRate: z.array(z.number().positive()).min(1).optional(),
  /** A shorter budget: at most this many epochs per run (the patience and the stall epoch are capped with it). */
  maxEpochs: z.number().int().min(1).optional(),
});

const SearchConfigSchema = z.strictObject({
  description: z.string().optional(),
  /** The rules file, relative to this file. */
  rules: z.string().min(1),
  jobs: z.union([z.literal('auto'), z.number().int().min(1)]).default('auto'),
  /** Image counts per class for every run (default: the run configs' own). */
  data: z
    .strictObject({
      trainPerClass: z.number().int().min(1).optional(),
      validationPerClass: z.number().int().min(1).optional(),
      testPerClass: z.number().int().min(1).optional(),
    })
    .default({}),
  quick: QuickSchema.optional(),
});

export interface SearchConfig {
  /** The file it came from. */
  source: string;
  rules: SearchRules;
  quick: boolean;
  /** The networks' run configs, in the rules' order. */
  networks: ReadonlyMap<string, RunConfig>;
  /** The grid searched: the rules' axes, or the quick part of them. */
  axes: SearchRules['axes'];
  /** Per batch size: engine, stopping and stall (capped by quick.maxEpochs). */
  perBatch: ReadonlyMap<number, BatchRules>;
  data: z.output<typeof SearchConfigSchema>['data'];
  jobs: number;
}

/** The values of `all` named by `keep` (by `key`), in the rules' order; a value not in the rules is a mistake in the file. */
function keepOf<T, K>(all: readonly T[], keep: readonly K[] | undefined, key: (t: T) => K, file: string, field: string): T[] {
  if (keep === undefined) return [...all];
  for (const k of keep) {
    if (!all.some((t) => key(t) === k))
      throw new UsageError(`${file}: field "quick.${field}": ${JSON.stringify(k)} is not in the rules' grid`);
  }
  return all.filter((t) => keep.includes(key(t)));
}

export function loadSearchConfig(file: string, quick: boolean, flags: { jobs?: number } = {}): SearchConfig {
  const raw = parseJsonText(readTextFile(file, 'search config'), file);
  const parsed = SearchConfigSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(describeIssue(file, parsed.error));
  const c = parsed.data;
  const rules = loadSearchRules(path.join(path.dirname(file), c.rules));
  if (quick && !c.quick) throw new UsageError(`--quick: ${file} has no "quick" block`);
  const q = quick ? c.quick! : {};
  const axes = {
    batchSize: keepOf(rules.axes.batchSize, q.batchSize, (b) => b, file, 'batchSize'),
    init: keepOf(rules.axes.init, q.init, (i) => i.name, file, 'init'),
    bias: keepOf(rules.axes.bias, q.bias, (b) => b as string, file, 'bias'),
    learningRate: keepOf(rules.axes.learningRate, q.learningRate, (r) => r, file, 'learningRate'),
  };
  const perBatch = new Map<number, BatchRules>();
  for (const b of axes.batchSize) {
    const r = rules.perBatch.get(b)!;
    const cap = q.maxEpochs;
    perBatch.set(
      b,
      cap === undefined
        ? r
        : {
            ...r,
            maxEpochs: Math.min(r.maxEpochs, cap),
            patience: Math.min(r.patience, cap),
            stall: { ...r.stall, K: Math.max(2, Math.min(r.stall.K, cap)) },
          },
    );
  }
  const networks = new Map<string, RunConfig>();
  for (const name of rules.networks) networks.set(name, loadConfigFile(path.join(path.dirname(file), `${name}.json`)));
  const maxJobs = JOBS_PER_CORE * os.availableParallelism();
  const jobs = flags.jobs ?? (c.jobs === 'auto' ? os.availableParallelism() : c.jobs);
  if (jobs > maxJobs)
    throw new UsageError(
      `${flags.jobs !== undefined ? '--jobs' : `${file}: field "jobs"`}: at most ${JOBS_PER_CORE} worker processes per core (${maxJobs} here)`,
    );
  return { source: file, rules, quick, networks, axes, perBatch, data: c.data, jobs };
}
