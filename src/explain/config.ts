/**
 * configs/explain.json: the experiment that tests the article's explanation (issue 14), validated
 * with zod like every other file.
 *
 * The article blames the deep Sigmoid networks' failure on the unit's bounded output ("the next
 * neuron would need 2") and says the vanishing gradient is "more than gradients shrinking layer by
 * layer". Four hidden activations separate the two factors, two more change only Sigmoid's
 * training (VARIANTS below). The file names which variants run, the depths, and one training
 * setting shared by all of them: initialisation, batch size, epochs, the learning-rate grid the
 * validation split chooses from (per variant), seeds and data sizes.
 */
import { z } from 'zod';
import { UsageError } from '../util/errors.js';
import { parseJsonText, readTextFile } from '../util/json.js';
import { describeIssue } from '../config/load.js';
import { BACKEND_CHOICES, ENGINE_CHOICES, MAX_SEED, type Activation, type GradientNormalisation, type Targets } from '../config/schema.js';
import { RELU_SCALED_SLOPE } from '../config/activations.js';
import type { WeightScale } from '../nn/params.js';

/** What a variant is: its hidden activation and Sigmoid's training changes, and where it sits in the 2 x 2 of factors. */
export interface VariantDefinition {
  activation: Activation;
  targets?: Targets;
  gradientNormalisation?: GradientNormalisation;
  /** Factors on the drawn initial weights (src/nn/params.ts WeightScale); absent = as drawn. */
  weightScale?: WeightScale;
  /** Output bounded above (cannot give "2"): Sigmoid's first factor. */
  bounded: boolean;
  /** Derivative at most 0.25, so a chain of layers shrinks the back-propagated error: Sigmoid's second factor. */
  shrinking: boolean;
  /** One line for the report. */
  describe: string;
}

/**
 * The variants. The first four are the 2 x 2 of the factors; `relu-scaled-matched` fills the
 * "unbounded, shrinking" cell in place of `relu-scaled`, with the forward signal kept: its
 * weights after the first layer are drawn times 1/0.25 = 4, so every pre-activation (and the
 * output) at initialisation is plain ReLU's (docs/probes.md says what else that changes). A config
 * names at most one of the two for that cell. The last two are Sigmoid with one of the article's
 * proposed culprits removed in training:
 * - reachable targets 0.9/0.1 (the output unit no longer has to reach its asymptote);
 * - per-layer gradient normalisation (each layer's step has the same size however much the
 *   back-propagated error shrank on its way down).
 */
export const VARIANTS = {
  sigmoid: { activation: 'sigmoid', bounded: true, shrinking: true, describe: 'Sigmoid: bounded (0..1), derivative at most 0.25' },
  relu: { activation: 'relu', bounded: false, shrinking: false, describe: 'ReLU: unbounded, slope 1' },
  'relu-clipped': { activation: 'relu-clipped', bounded: true, shrinking: false, describe: 'min(max(z, 0), 1): bounded (0..1), slope 1' },
  'relu-scaled': { activation: 'relu-scaled', bounded: false, shrinking: true, describe: '0.25 max(z, 0): unbounded, slope 0.25' },
  'relu-scaled-matched': {
    activation: 'relu-scaled',
    weightScale: { laterLayers: 1 / RELU_SCALED_SLOPE },
    bounded: false,
    shrinking: true,
    describe: "0.25 max(z, 0) with the weights after the first layer drawn x 4: slope 0.25, ReLU's forward pass at initialisation",
  },
  'sigmoid-reachable': {
    activation: 'sigmoid',
    targets: { positive: 0.9, negative: 0.1 },
    bounded: true,
    shrinking: true,
    describe: 'Sigmoid trained towards 0.9 / 0.1 (targets within reach)',
  },
  'sigmoid-normalised': {
    activation: 'sigmoid',
    gradientNormalisation: 'layer',
    bounded: true,
    shrinking: true,
    describe: "Sigmoid with each layer's gradient rescaled to unit norm (no shrinking steps)",
  },
} as const satisfies Record<string, VariantDefinition>;

export type VariantName = keyof typeof VARIANTS;
export const VARIANT_NAMES = Object.keys(VARIANTS) as VariantName[];

const ExplainConfigSchema = z
  .strictObject({
    description: z.string().optional(),
    variants: z.array(z.enum(VARIANT_NAMES as [VariantName, ...VariantName[]])).min(1),
    /** Hidden widths of the deepest network; a network of L layers takes the first L - 2 (the article's prefixes). */
    hidden: z.array(z.number().int().min(1).max(100000)).min(1).max(64),
    /**
     * Depths, counted as the article counts them (input + hidden + output). One depth is allowed
     * when ReLU runs: each variant's penalty is then its deficit against ReLU there (decide.ts).
     */
    layers: z.array(z.number().int().min(3)).min(1),
    init: z.strictObject({ name: z.string().regex(/^[a-z0-9-]+$/), scheme: z.enum(['uniform', 'xavier', 'he']) }),
    batchSize: z.number().int().min(1).max(100000),
    epochs: z.number().int().min(1).max(100000),
    /** One grid for every variant; the validation split picks a rate per variant. */
    learningRates: z.array(z.number().positive().max(1000)).min(1).max(20),
    engine: z.enum(ENGINE_CHOICES).default('tfjs'),
    backend: z.enum(BACKEND_CHOICES).default('auto'),
    seeds: z.number().int().min(2).max(1000),
    firstSeed: z.number().int().min(0).max(MAX_SEED).default(1),
    tuningSeeds: z.number().int().min(1).max(20).default(1),
    trainPerClass: z.number().int().min(1).max(4500).default(2000),
    validationPerClass: z.number().int().min(1).max(3000).default(500),
    testPerClass: z.number().int().min(1).max(1000).default(200),
    /**
     * Optional: train every run (tuning and judged) to this stopping rule on the validation split,
     * `epochs` being the maximum (the run config's `stopping`, src/config/schema.ts). Absent: every
     * run trains exactly `epochs` (and the folders and fingerprints of such configs stay as they were).
     */
    stopping: z
      .strictObject({ patience: z.number().int().min(1).max(100000), patienceFraction: z.number().min(0).max(10).optional() })
      .optional(),
    /** Optional: false = the deepest networks are not probed (absent = probed, as before). */
    probe: z.boolean().optional(),
    /**
     * Optional: the registered decision rule (configs/rules/README.md, "explain"). `margin` (points
     * of depth penalty): a factor's effect counts only when its whole interval lies at or above it,
     * and the article's claim is contradicted when the whole interval lies below it. `stillLearning`:
     * a variant and depth with more than this share of its judged runs stopped at the maximum is
     * still learning, and a verdict that uses it is not judged; `flag`: at this share it is flagged.
     * Absent: the first rule (edges at 0, no stopping rule to ask about).
     */
    decision: z
      .strictObject({
        margin: z.number().min(0).max(100),
        stillLearning: z.number().min(0).max(1),
        flag: z.number().min(0).max(1),
      })
      .optional(),
  })
  .superRefine((c, ctx) => {
    if (c.variants.includes('relu-scaled') && c.variants.includes('relu-scaled-matched'))
      ctx.addIssue({
        code: 'custom',
        path: ['variants'],
        message: 'names both relu-scaled and relu-scaled-matched; they fill the same cell',
      });
    if (c.decision !== undefined && c.stopping === undefined)
      ctx.addIssue({ code: 'custom', path: ['decision'], message: 'needs a "stopping" rule (it asks which runs stopped at the maximum)' });
    if (new Set(c.variants).size !== c.variants.length)
      ctx.addIssue({ code: 'custom', path: ['variants'], message: 'lists a variant twice' });
    if (c.layers.length === 1 && !c.variants.includes('relu'))
      ctx.addIssue({
        code: 'custom',
        path: ['layers'],
        message: 'one depth needs the "relu" variant (the penalty is the deficit against it)',
      });
    if (new Set(c.layers).size !== c.layers.length) ctx.addIssue({ code: 'custom', path: ['layers'], message: 'lists a depth twice' });
    c.layers.forEach((l, i) => {
      if (l - 2 > c.hidden.length)
        ctx.addIssue({
          code: 'custom',
          path: ['layers', i],
          message: `${l} layers need ${l - 2} hidden widths; "hidden" has ${c.hidden.length}`,
        });
    });
    if (c.trainPerClass + c.validationPerClass > 5000)
      ctx.addIssue({ code: 'custom', path: ['validationPerClass'], message: 'training plus validation images exceed the 5,000 per class' });
  });

export type ExplainConfig = z.output<typeof ExplainConfigSchema>;

/** Command-line flags that shrink the experiment (a smoke run). */
export interface ExplainOverrides {
  seeds?: number;
  epochs?: number;
  trainPerClass?: number;
  testPerClass?: number;
}

export function parseExplainConfig(raw: unknown, source: string, overrides: ExplainOverrides = {}): ExplainConfig {
  const set = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const merged = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? { ...raw, ...set } : raw;
  const result = ExplainConfigSchema.safeParse(merged);
  if (!result.success) throw new UsageError(describeIssue(source, result.error));
  return { ...result.data, layers: [...result.data.layers].sort((a, b) => a - b) };
}

export function loadExplainConfig(file: string, overrides: ExplainOverrides = {}): ExplainConfig {
  return parseExplainConfig(parseJsonText(readTextFile(file, 'explain config'), file), file, overrides);
}
