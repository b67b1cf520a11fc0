/**
 * Saving a network's parameters as JSON (weights.json in a run folder), and the one reader of the
 * model files a user hands in (weights.json, or TensorFlow.js's model.json + weights.bin).
 *
 * The file is plain JSON so any tool can read it: {format, sizes, weights: [[...]], biases:
 * [[...]]} in the layout of src/nn/params.ts (layer l's weights row-major [fanIn, fanOut]).
 * Each float32 is written as the shortest decimal that reads back to the same double, and
 * every float32 is exactly a double, so loading gives back the very same float32 values.
 */
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { z } from 'zod';
import type { Activation, OutputActivation } from '../config/schema.js';
import { UsageError, UserError, messageOf } from '../util/errors.js';
import { readRegularFile } from '../util/regular-file.js';
import { firstIssue, parseJsonText } from '../util/json.js';
import type { Params } from './params.js';
import { MODEL_JSON, readLayersModel } from './tfjs/layers-model.js';

const PARAMS_FORMAT = 'cifar10-mlp-params/1';

interface ParamsFile {
  format: string;
  sizes: number[];
  weights: (number | null)[][];
  biases: (number | null)[][];
}

function paramsToJson(p: Params): string {
  const file: ParamsFile = {
    format: PARAMS_FORMAT,
    sizes: [...p.sizes],
    weights: p.weights.map((w) => Array.from(w)),
    biases: p.biases.map((b) => Array.from(b)),
  };
  return JSON.stringify(file);
}

/** The file's shape; the lengths, which depend on "sizes", are checked below. JSON has no NaN: null stands for it. */
const ParamsFileSchema = z.object({
  format: z.literal(PARAMS_FORMAT),
  sizes: z.array(z.number().int().positive()).min(2),
  weights: z.array(z.unknown()),
  biases: z.array(z.unknown()),
});

/** What to do with a weight that is not a finite float32 (null, i.e. NaN, or beyond float32's range). */
type NonFinite = 'refuse' | 'keep';

function paramsFromJson(text: string, source: string, nonFinite: NonFinite): Params {
  let raw: unknown;
  try {
    raw = parseJsonText(text, source);
  } catch (err) {
    throw new UserError(messageOf(err));
  }
  if (typeof raw !== 'object' || raw === null || (raw as Partial<ParamsFile>).format !== PARAMS_FORMAT) {
    throw new UserError(`${source}: not a weights file (expected "format": "${PARAMS_FORMAT}")`);
  }
  const parsed = ParamsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const sizesWrong = parsed.error.issues[0].path[0] === 'sizes';
    throw new UserError(`${source}: ${sizesWrong ? '"sizes" must list at least two positive layer widths' : firstIssue(parsed.error)}`);
  }
  const f = parsed.data;
  const sizes = f.sizes;
  const layers = sizes.length - 1;
  if (f.weights.length !== layers || f.biases.length !== layers) {
    throw new UserError(`${source}: expected ${layers} weight matrices and ${layers} bias vectors for sizes [${sizes.join(', ')}]`);
  }
  const weights: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (let l = 0; l < layers; l++) {
    const w = f.weights[l];
    const b = f.biases[l];
    if (!Array.isArray(w) || w.length !== sizes[l] * sizes[l + 1] || !w.every(isStoredNumber)) {
      throw new UserError(
        `${source}: weights of layer ${l + 1} must be ${sizes[l] * sizes[l + 1]} numbers (${sizes[l]} x ${sizes[l + 1]})`,
      );
    }
    if (!Array.isArray(b) || b.length !== sizes[l + 1] || !b.every(isStoredNumber)) {
      throw new UserError(`${source}: biases of layer ${l + 1} must be ${sizes[l + 1]} numbers`);
    }
    const wl = Float32Array.from(w, (v) => v ?? NaN);
    const bl = Float32Array.from(b, (v) => v ?? NaN);
    if (nonFinite === 'refuse') {
      refuseNonFinite(source, `weights of layer ${l + 1}`, w, wl);
      refuseNonFinite(source, `biases of layer ${l + 1}`, b, bl);
    }
    weights.push(wl);
    biases.push(bl);
  }
  return { sizes, weights, biases };
}

/** JSON has no NaN: JSON.stringify writes a diverged run's NaN weights as null, read back as NaN. */
function isStoredNumber(v: unknown): v is number | null {
  return typeof v === 'number' || v === null;
}

/** Writes the parameters atomically (a reader never sees half a file). */
export async function saveParams(file: string, p: Params): Promise<void> {
  await writeFileAtomic(file, paramsToJson(p));
}

/** A stored value that is not a finite float32: null (NaN) or a number beyond float32's range (1e40 becomes Infinity). */
function refuseNonFinite(source: string, what: string, stored: readonly (number | null)[], values: Float32Array): void {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad < 0) return;
  const v = stored[bad];
  const why = v === null ? 'null (NaN: a diverged network)' : `${v}, beyond the range of float32`;
  throw new UserError(`${source}: ${what}, value ${bad + 1} is ${why}; only finite weights are read`);
}

/** Largest weights.json read: the widest network of this project is a few MB of text. */
const MAX_PARAMS_JSON_BYTES = 256 * 2 ** 20;

function readParamsJson(file: string, nonFinite: NonFinite): Params {
  const bytes = readRegularFile(file, { what: 'weights file', maxBytes: MAX_PARAMS_JSON_BYTES });
  return paramsFromJson(bytes.toString('utf8'), file, nonFinite);
}

/**
 * The weights.json of a run this program made (a reproduce sweep's own folder), as saved: a
 * diverged run's NaN weights read back as NaN, since its probe is a result too.
 */
export function loadParams(file: string): Params {
  return readParamsJson(file, 'keep');
}

/** The network a model file must hold to be probed as a configuration. */
export interface ModelExpectation {
  /** Who names the file, for messages, e.g. "--weights". */
  flag: string;
  /** The configuration's name. */
  config: string;
  sizes: readonly number[];
  hiddenActivation: Activation;
  outputActivation: OutputActivation;
}

/**
 * The parameters of a model file from elsewhere: a weights.json, or a TensorFlow.js model.json
 * (by its name) with the weight files its manifest names. The file is checked before it is
 * believed (src/util/regular-file.ts, readLayersModel): regular files only, manifest paths inside
 * the model's folder, sizes as the manifest says, finite weights only. The network must be the
 * configuration's: its layer sizes and, where the file says them (model.json), its activations;
 * a mismatch is refused rather than probed as something it is not.
 */
export async function readModelFile(file: string, expect: ModelExpectation): Promise<Params> {
  let params: Params;
  let activations: string[] | undefined;
  if (path.basename(file) === MODEL_JSON) {
    const saved = await readLayersModel(file);
    params = saved.params;
    activations = saved.activations;
  } else {
    params = readParamsJson(file, 'refuse');
  }
  const same = params.sizes.length === expect.sizes.length && params.sizes.every((s, k) => s === expect.sizes[k]);
  if (!same) {
    throw new UsageError(
      `${expect.flag} ${file}: holds a network of sizes [${params.sizes.join(', ')}], but ${expect.config} is [${expect.sizes.join(', ')}]`,
    );
  }
  if (activations) {
    const hidden = activations.slice(0, -1);
    const output = activations[activations.length - 1];
    const wrongHidden = hidden.find((a) => a !== expect.hiddenActivation);
    if (wrongHidden !== undefined || output !== expect.outputActivation) {
      const has = `${wrongHidden ?? expect.hiddenActivation} hidden layers, ${output} output`;
      throw new UsageError(
        `${expect.flag} ${file}: holds a network with ${has}, but ${expect.config} has ${expect.hiddenActivation} hidden layers, ${expect.outputActivation} output; give the config it was trained with`,
      );
    }
  }
  return params;
}
