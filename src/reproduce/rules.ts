/**
 * The executable part of a pre-registered rules file (configs/rules/confirmatory.json): the
 * seeds, the stopping rule, the epoch maximum and the learning-rate grid that `reproduce` runs
 * with when its config names the file under "rules". Reading them from the committed file itself,
 * rather than copying them into configs/reproduce.json, means the run cannot drift from what was
 * registered; the report prints the file's SHA-256.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { UsageError } from '../util/errors.js';
import { parseJsonText, readTextFile } from '../util/json.js';
import { describeIssue } from '../config/load.js';
import { MAX_SEED } from '../config/schema.js';

const SeedRange = z.object({ first: z.number().int().min(0).max(MAX_SEED), count: z.number().int().min(1).max(1000) });
const Rates = z.array(z.number().positive().max(100)).min(1);

const ConfirmatoryRulesSchema = z.object({
  version: z.number().int().min(1),
  networks: z.array(z.string()).min(1),
  seeds: z.object({ confirmatory: SeedRange, tuning: SeedRange }),
  stopping: z.object({
    patience: z.object({ min: z.number().int().min(1), fractionOfBestEpoch: z.number().min(0).max(10) }),
    maxEpochs: z.number().int().min(1),
  }),
  learningRates: z.object({
    grid: z.record(z.string(), Rates),
    /** Runs at the maximum (of the tuning seeds) that make a rate eligible only when no rate avoids that. */
    atMaximumLimit: z.number().int().min(1).default(2),
  }),
});

export type ConfirmatoryRules = z.output<typeof ConfirmatoryRulesSchema> & {
  file: string;
  /** SHA-256 of the file's bytes, printed by the report. */
  sha256: string;
};

export function loadConfirmatoryRules(file: string): ConfirmatoryRules {
  const text = readTextFile(file, 'rules file');
  const parsed = ConfirmatoryRulesSchema.safeParse(parseJsonText(text, file));
  if (!parsed.success) throw new UsageError(describeIssue(file, parsed.error));
  return { ...parsed.data, file, sha256: createHash('sha256').update(text).digest('hex') };
}

/** The rules' grid for an activation; a network whose activation has none is a mistake in the rules file. */
export function gridFor(rules: ConfirmatoryRules, activation: string): number[] {
  const grid = rules.learningRates.grid[activation];
  if (!grid) throw new UsageError(`${rules.file}: learningRates.grid has no rates for activation "${activation}"`);
  return [...grid].sort((a, b) => a - b);
}
