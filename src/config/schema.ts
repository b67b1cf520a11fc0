/**
 * The run configuration: what a JSON file in configs/ may say, validated with zod.
 *
 * Layers are counted as the article counts them, input + hidden + output: `sigmoid5.json`
 * has three hidden layers. Every field but `hidden` and `activation` has a default. The
 * shipped configs spell every field out; their learning rate and initialisation (Sigmoid: He,
 * 1.0; ReLU: Xavier, 0.1) were chosen on the validation split (docs/training.md). The schema's
 * own defaults follow them where one value fits every activation; the learning rate default
 * (0.1) is the ReLU one, the He initialisation the Sigmoid one.
 */
import { z } from 'zod';
import { CIFAR10_CLASSES } from '../data/types.js';
import { NAME_MAX_LENGTH, NAME_PATTERN, NAME_RULE } from '../util/paths.js';
import { activationNames, isActivationFor, type HiddenActivation, type OutputActivation } from './activations.js';

/** The largest subset a class can give: 5,000 training and 1,000 test images per class. */
const MAX_TRAIN_PER_CLASS = 5000;
const MAX_TEST_PER_CLASS = 1000;

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export const ENGINE_CHOICES = ['tfjs', 'handwritten'] as const;

/**
 * Activation names come from the table of activations (src/config/activations.ts): a hidden
 * layer may name any entry usable in hidden layers, the output layer any usable as output.
 * Checked against the table when a config is parsed, so an entry added at run time is accepted.
 */
export type Activation = HiddenActivation;
export type { OutputActivation };
/** What one layer applies: a hidden or an output activation. */
export type LayerActivation = Activation | OutputActivation;

function activationField<T extends string>(layer: 'hidden' | 'output', is: (v: unknown) => v is T) {
  return z.custom<T>(is, {
    error: () =>
      `Invalid option: expected one of ${activationNames(layer)
        .map((n) => JSON.stringify(n))
        .join('|')}`,
  });
}

const classNames = z.enum(CIFAR10_CLASSES);

/**
 * What the SGD step does to each layer's gradient first: 'none', or 'layer' (the layer's
 * weight and bias gradients together rescaled to unit L2 norm; src/nn/engine.ts).
 */
const GRADIENT_NORMALISATIONS = ['none', 'layer'] as const;
export type GradientNormalisation = (typeof GRADIENT_NORMALISATIONS)[number];

/**
 * The numbers the network is trained towards for each class (the data's 1/0 labels are mapped
 * to them when a run starts). 0.9/0.1 puts Sigmoid's targets within reach. Accuracy counts an
 * output above the midpoint of the two as the positive class, so positive must be the larger.
 */
const TargetsSchema = z
  .strictObject({
    positive: z.number().finite().default(1),
    negative: z.number().finite().default(0),
  })
  .refine((t) => t.positive > t.negative, { message: 'positive must be greater than negative', path: ['positive'] });
export type Targets = z.output<typeof TargetsSchema>;

/** A config's name: a label that becomes part of folder names, so only safe characters and a bounded length. */
export const ConfigNameSchema = z
  .string()
  .min(1)
  .max(NAME_MAX_LENGTH, `expected at most ${NAME_MAX_LENGTH} characters`)
  .regex(NAME_PATTERN, `expected a plain label (${NAME_RULE})`);

/** The largest seed: seeds are 32-bit unsigned integers (a larger one would wrap around to another seed's numbers). */
export const MAX_SEED = 4294967295;

export const DataConfigSchema = z.strictObject({
  /** Class trained towards 1. */
  positive: classNames.default('airplane'),
  /** Class trained towards 0. */
  negative: classNames.default('ship'),
  trainPerClass: z.number().int().min(1).max(MAX_TRAIN_PER_CLASS).default(2000),
  testPerClass: z.number().int().min(1).max(MAX_TEST_PER_CLASS).default(200),
  /**
   * Validation images per class: the next ones in the training batches after the training
   * images (never the test set). Everything that chooses (settings, the epoch a run reports)
   * chooses on them; 0 = no validation split.
   */
  validationPerClass: z.number().int().min(0).max(MAX_TRAIN_PER_CLASS).default(500),
  color: z.enum(['gray', 'rgb']).default('gray'),
  /**
   * Also score the run on every image of the two classes in the test batch (1,000 + 1,000 in
   * CIFAR-10; the test set above is the first testPerClass of each of them), at the chosen and
   * at the final epoch, and write each image's output to predictions.csv. It costs two forward
   * passes over 2,000 images per run (one when the chosen epoch is the final one) and one more
   * read of test_batch.bin.
   */
  fullTest: z.boolean().default(true),
});

/**
 * The stopping rule, on the validation split. An epoch *improves* when its validation loss is
 * strictly lower than the lowest of every earlier epoch, epoch 0 (the initial parameters)
 * included; there is no minimum delta (any decrease counts), so the last epoch that improved
 * is exactly the epoch of lowest validation loss the run reports (ties go to the earlier
 * epoch, as in src/training/run-metrics.ts), and a validation loss that is not a number never
 * improves. The run stops after epoch e when e - (the last improving epoch) reaches
 * `patience` (stop reason "patience"), or at the config's `epochs`, which is then the maximum
 * (stop reason "maximum"; a run that reaches it with its patience also exhausted says
 * "patience"). With `stall`, a run at chance whose loss stands still stops at the stall epoch (stop
 * reason "stalled"). Without this block a run trains exactly `epochs` epochs (stop reason "fixed").
 */
const StoppingSchema = z.strictObject({
  patience: z.number().int().min(1).max(100000),
  /**
   * Optional: the patience grows to ceil(patienceFraction x the last improving epoch) when that
   * is longer (configs/rules/confirmatory.json: max(30, 0.5 x the best epoch)).
   */
  patienceFraction: z.number().min(0).max(10).optional(),
  /**
   * Optional, the stall rule of configs/rules/search.json: after epoch `epoch` (K) the run stops
   * (stop reason "stalled") when its validation accuracy is at most `maxValAccuracy` and its
   * validation loss is at least `minLossRatio` x its validation loss after epoch floor(K/2): a
   * network still at chance whose loss has not moved since, as deep Sigmoid networks on a plateau.
   */
  stall: z
    .strictObject({
      epoch: z.number().int().min(2).max(100000),
      maxValAccuracy: z.number().min(0).max(1),
      minLossRatio: z.number().positive().max(10),
    })
    .optional(),
});

/**
 * Which sets are scored after which epoch. "every-epoch": training, validation and test sets
 * after every epoch (history.csv complete). "when-needed": the validation set after every
 * epoch; the test set after the epochs that can be chosen (those whose validation loss
 * improves, epoch 0 included), after the last five epochs (for test_acc_last5) and after the
 * final one; the training set after the chosen and the final epoch only. Cells of history.csv
 * that were not evaluated are empty. The chosen epoch's numbers are the same under both.
 */
const EVALUATION_SCHEDULES = ['when-needed', 'every-epoch'] as const;
export type EvaluationSchedule = (typeof EVALUATION_SCHEDULES)[number];

export const InitConfigSchema = z
  .strictObject({
    scheme: z.enum(['uniform', 'xavier', 'he', 'normal']),
    std: z.number().positive().optional(),
    /** For "uniform": U(-limit, +limit) instead of U(-1/sqrt(fan_in), +1/sqrt(fan_in)). */
    limit: z.number().positive().max(10).optional(),
    /** For "xavier": the limit gain x sqrt(6/(fan_in+fan_out)); 4 is the logistic's gain. Absent = 1. */
    gain: z.number().positive().max(100).optional(),
    /**
     * "zero" or "like-weights" (drawn from the layer's weight distribution, src/nn/params.ts).
     * Absent = "zero". Optional rather than defaulted, like `gain`: a default would add the field
     * to every parsed config, and so change the fingerprint of every finished job (src/experiment/job.ts).
     */
    bias: z.enum(['zero', 'like-weights']).optional(),
    /**
     * Factors on the drawn weights: `firstLayer` (from the inputs) and `laterLayers` (every later
     * layer, the output's included); absent = 1 (src/nn/params.ts WeightScale). Optional, like
     * `bias`, so that no earlier config's fingerprint moves.
     */
    weightScale: z
      .strictObject({ firstLayer: z.number().positive().max(1000).optional(), laterLayers: z.number().positive().max(1000).optional() })
      .refine((s) => s.firstLayer !== undefined || s.laterLayers !== undefined, { message: 'names firstLayer, laterLayers or both' })
      .optional(),
  })
  .refine((i) => i.limit === undefined || i.scheme === 'uniform', { path: ['limit'], message: 'only the "uniform" scheme takes a limit' })
  .refine((i) => i.gain === undefined || i.scheme === 'xavier', { path: ['gain'], message: 'only the "xavier" scheme takes a gain' });

export const RunConfigSchema = z
  .strictObject({
    /**
     * Shown in outputs and reports, and part of the run folder's name; defaults to the config
     * file's name. A label, never a path (src/util/paths.ts).
     */
    name: ConfigNameSchema.optional(),
    description: z.string().optional(),
    hidden: z.array(z.number().int().min(1).max(100000)).max(64),
    activation: activationField('hidden', (v) => isActivationFor('hidden', v)),
    outputActivation: activationField('output', (v) => isActivationFor('output', v)).default('sigmoid'),
    init: InitConfigSchema.default({ scheme: 'he' }),
    learningRate: z.number().positive().max(1000).default(0.1),
    momentum: z.number().min(0).lt(1).default(0),
    targets: TargetsSchema.default({ positive: 1, negative: 0 }),
    gradientNormalisation: z.enum(GRADIENT_NORMALISATIONS).default('none'),
    batchSize: z.number().int().min(1).default(32),
    /** Epochs to train; with a `stopping` rule, the most a run may train. */
    epochs: z.number().int().min(1).max(100000).default(20),
    /** Stop when the validation loss stops improving (see StoppingSchema); absent = train exactly `epochs`. */
    stopping: StoppingSchema.optional(),
    evaluation: z.enum(EVALUATION_SCHEDULES).default('when-needed'),
    seed: z.number().int().min(0).max(MAX_SEED).default(1),
    engine: z.enum(ENGINE_CHOICES).default('tfjs'),
    backend: z.enum(BACKEND_CHOICES).default('auto'),
    /** Record per-layer gradient statistics (gradients.csv) at init and after every epoch. */
    recordGradients: z.boolean().default(false),
    /** Record per-hidden-layer saturation, dead units and activation percentiles (activations.csv) at init and after every epoch. */
    recordActivations: z.boolean().default(false),
    data: DataConfigSchema.default({
      positive: 'airplane',
      negative: 'ship',
      trainPerClass: 2000,
      testPerClass: 200,
      validationPerClass: 500,
      color: 'gray',
      fullTest: true,
    }),
  })
  .superRefine((c, ctx) => {
    if (c.data.positive === c.data.negative) {
      ctx.addIssue({ code: 'custom', path: ['data', 'negative'], message: `must differ from data.positive ("${c.data.positive}")` });
    }
    if (c.init.scheme === 'normal' && c.init.std === undefined) {
      ctx.addIssue({ code: 'custom', path: ['init', 'std'], message: 'is required when init.scheme is "normal"' });
    }
    if (c.data.trainPerClass + c.data.validationPerClass > MAX_TRAIN_PER_CLASS) {
      ctx.addIssue({
        code: 'custom',
        path: ['data', 'validationPerClass'],
        message: `trainPerClass + validationPerClass must be at most ${MAX_TRAIN_PER_CLASS} (the training batches hold that many per class)`,
      });
    }
    if (c.stopping && c.data.validationPerClass === 0) {
      ctx.addIssue({ code: 'custom', path: ['stopping'], message: 'needs a validation split (data.validationPerClass of at least 1)' });
    }
    const trainSize = 2 * c.data.trainPerClass;
    if (c.batchSize > trainSize) {
      ctx.addIssue({ code: 'custom', path: ['batchSize'], message: `must be at most the training set size (${trainSize})` });
    }
  });

/** A config with every default applied: what a run actually uses. */
export type RunConfig = z.output<typeof RunConfigSchema> & { name: string };
