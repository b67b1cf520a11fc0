/**
 * The executable part of the search's pre-registered rules (configs/rules/search.json): the
 * networks, the grid's axes, the engine, stopping and stall rule per batch size, the audit, the
 * "learns" threshold, the seeds, how many cells are promoted, and the claims the distance to
 * the article weighs. Read from the committed file itself, as src/reproduce/rules.ts reads the
 * confirmatory rules, so the search cannot drift from what was registered; the outputs carry the file's SHA-256. The prose fields (the stages, the
 * distance's rule, the report's duties) are the rules' explanation and are not parsed.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { UsageError } from '../util/errors.js';
import { parseJsonText, readTextFile } from '../util/json.js';
import { describeIssue } from '../config/load.js';
import { ConfigNameSchema, ENGINE_CHOICES, MAX_SEED } from '../config/schema.js';
import { DISTANCE_CLAIMS } from './distance.js';

const Seed = z.number().int().min(0).max(MAX_SEED);
/** A label that becomes part of run names (src/util/paths.ts). */
const Label = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, 'expected letters, digits, "." and "-"');

const InitSchema = z
  .strictObject({
    name: Label,
    scheme: z.enum(['uniform', 'xavier', 'he']),
    limit: z.number().positive().max(10).optional(),
    gain: z.number().positive().max(100).optional(),
  })
  .refine((i) => i.limit === undefined || i.scheme === 'uniform', { path: ['limit'], message: 'only the "uniform" scheme takes a limit' })
  .refine((i) => i.gain === undefined || i.scheme === 'xavier', { path: ['gain'], message: 'only the "xavier" scheme takes a gain' });
export type SearchInit = z.output<typeof InitSchema>;

const BIASES = ['zero', 'like-weights'] as const;
export type SearchBias = (typeof BIASES)[number];

const StallSchema = z.object({
  K: z.number().int().min(2),
  maxValAccuracy: z.number().min(0).max(1),
  minLossRatio: z.number().positive().max(10),
});

const SearchRulesSchema = z
  .object({
    version: z.number().int().min(1),
    networks: z.array(ConfigNameSchema).min(1),
    hardestFirst: z.array(ConfigNameSchema).min(1),
    axes: z.object({
      batchSize: z.array(z.number().int().min(1)).min(1),
      init: z.array(InitSchema).min(1),
      bias: z.array(z.enum(BIASES)).min(1),
      learningRate: z.array(z.number().positive().max(100)).min(1),
    }),
    /** Per batch size (its decimal text): the engine, the stopping rule and the stall rule. */
    engines: z.record(z.string(), z.enum(ENGINE_CHOICES)),
    stopping: z.record(
      z.string(),
      z.union([z.object({ patience: z.number().int().min(1), maxEpochs: z.number().int().min(1) }), z.string()]),
    ),
    stall: z.record(
      z.string(),
      z.union([
        StallSchema,
        z.string(),
        z.object({
          random: z.number().int().min(0),
          nearestThreshold: z.number().int().min(0),
          sampleSeed: Seed,
          pool: z.string(),
          consequence: z.string(),
        }),
      ]),
    ),
    learns: z.object({ threshold: z.number().min(0).max(1) }),
    seeds: z.object({ screen: z.array(Seed).min(1), promoted: z.object({ first: Seed, count: z.number().int().min(1).max(1000) }) }),
    maxPromoted: z.number().int().min(0),
    learnsInSeeds: z.number().int().min(1),
    /** The claims the distance to the article weighs (its rule is prose; src/search/distance.ts). */
    distance: z.object({ claims: z.array(z.string()).min(1) }),
  })
  .superRefine((r, ctx) => {
    r.distance.claims.forEach((id, i) => {
      if (!DISTANCE_CLAIMS.includes(id))
        ctx.addIssue({ code: 'custom', path: ['distance', 'claims', i], message: `expected one of ${DISTANCE_CLAIMS.join(', ')}` });
    });
    r.hardestFirst.forEach((n, i) => {
      if (!r.networks.includes(n)) ctx.addIssue({ code: 'custom', path: ['hardestFirst', i], message: `"${n}" is not one of "networks"` });
    });
    for (const b of r.axes.batchSize) {
      for (const [field, table] of [
        ['engines', r.engines],
        ['stopping', r.stopping],
        ['stall', r.stall],
      ] as const) {
        const entry = table[String(b)];
        // Engines are names; the stopping and stall tables also hold prose, which is no entry.
        if (entry === undefined || (field !== 'engines' && typeof entry === 'string'))
          ctx.addIssue({ code: 'custom', path: [field], message: `has no entry for batch size ${b}` });
      }
    }
    if (typeof r.stall.audit !== 'object' || !('sampleSeed' in r.stall.audit))
      ctx.addIssue({ code: 'custom', path: ['stall', 'audit'], message: 'is required (random, nearestThreshold, sampleSeed)' });
    if (r.learnsInSeeds > r.seeds.promoted.count)
      ctx.addIssue({
        code: 'custom',
        path: ['learnsInSeeds'],
        message: `must be at most seeds.promoted.count (${r.seeds.promoted.count})`,
      });
  });

export interface BatchRules {
  engine: (typeof ENGINE_CHOICES)[number];
  patience: number;
  maxEpochs: number;
  stall: z.output<typeof StallSchema>;
}

export interface SearchRules {
  file: string;
  /** SHA-256 of the file's bytes. */
  sha256: string;
  version: number;
  networks: string[];
  hardestFirst: string[];
  axes: { batchSize: number[]; init: SearchInit[]; bias: SearchBias[]; learningRate: number[] };
  perBatch: ReadonlyMap<number, BatchRules>;
  audit: { random: number; nearestThreshold: number; sampleSeed: number };
  learnsThreshold: number;
  seeds: { screen: number[]; promoted: number[] };
  maxPromoted: number;
  learnsInSeeds: number;
  /** The claim ids the distance to the article weighs. */
  distanceClaims: string[];
}

/** A rules file checked against its schema, with the SHA-256 of its bytes (which the outputs carry). */
export function readRulesFile<S extends z.ZodType>(file: string, schema: S): { data: z.output<S>; sha256: string } {
  const text = readTextFile(file, 'rules file');
  const parsed = schema.safeParse(parseJsonText(text, file));
  if (!parsed.success) throw new UsageError(describeIssue(file, parsed.error));
  return { data: parsed.data, sha256: createHash('sha256').update(text).digest('hex') };
}

export function loadSearchRules(file: string): SearchRules {
  const { data: r, sha256 } = readRulesFile(file, SearchRulesSchema);
  const perBatch = new Map<number, BatchRules>();
  for (const b of r.axes.batchSize) {
    const stopping = r.stopping[String(b)] as { patience: number; maxEpochs: number };
    perBatch.set(b, { engine: r.engines[String(b)], ...stopping, stall: r.stall[String(b)] as z.output<typeof StallSchema> });
  }
  const audit = r.stall.audit as { random: number; nearestThreshold: number; sampleSeed: number };
  return {
    file,
    sha256,
    version: r.version,
    networks: r.networks,
    hardestFirst: r.hardestFirst,
    axes: r.axes,
    perBatch,
    audit: { random: audit.random, nearestThreshold: audit.nearestThreshold, sampleSeed: audit.sampleSeed },
    learnsThreshold: r.learns.threshold,
    seeds: {
      screen: r.seeds.screen,
      promoted: Array.from({ length: r.seeds.promoted.count }, (_, i) => r.seeds.promoted.first + i),
    },
    maxPromoted: r.maxPromoted,
    learnsInSeeds: r.learnsInSeeds,
    distanceClaims: r.distance.claims,
  };
}
