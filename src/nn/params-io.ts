/**
 * Saving and loading a network's parameters as JSON (weights.json in a run folder).
 *
 * The file is plain JSON so any tool can read it: {format, sizes, weights: [[...]], biases:
 * [[...]]} in the layout of src/nn/params.ts (layer l's weights row-major [fanIn, fanOut]).
 * Each float32 is written as the shortest decimal that reads back to the same double, and
 * every float32 is exactly a double, so loading gives back the very same float32 values.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { UserError, messageOf } from '../util/errors.js';
import type { Params } from './params.js';
import { loadLayersModelParams, MODEL_JSON } from './tfjs/layers-model.js';

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

function paramsFromJson(text: string, source: string): Params {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${source}: not valid JSON: ${messageOf(err)}`);
  }
  const f = raw as Partial<ParamsFile>;
  if (typeof raw !== 'object' || raw === null || f.format !== PARAMS_FORMAT) {
    throw new UserError(`${source}: not a weights file (expected "format": "${PARAMS_FORMAT}")`);
  }
  const sizes = f.sizes;
  if (!Array.isArray(sizes) || sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s > 0)) {
    throw new UserError(`${source}: "sizes" must list at least two positive layer widths`);
  }
  const layers = sizes.length - 1;
  if (!Array.isArray(f.weights) || !Array.isArray(f.biases) || f.weights.length !== layers || f.biases.length !== layers) {
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
    weights.push(Float32Array.from(w, (v) => v ?? NaN));
    biases.push(Float32Array.from(b, (v) => v ?? NaN));
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

/** A run's weights.json, or its TensorFlow.js model.json (a file named model.json). */
export async function loadParamsOrModel(file: string): Promise<Params> {
  return path.basename(file) === MODEL_JSON ? loadLayersModelParams(file) : loadParams(file);
}

export function loadParams(file: string): Params {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: cannot read weights: ${code === 'ENOENT' ? 'no such file' : messageOf(err)}`);
  }
  return paramsFromJson(text, file);
}
