/**
 * A trained network in TensorFlow.js's own format: `model.json` (the Keras-style topology and a
 * weights manifest) and `weights.bin` (the float32 weights), the pair `tf.loadLayersModel` reads
 * in Node (with `layersModelFileHandler` below) or in a browser (`tf.loadLayersModel(url)`).
 *
 * The model is a tf.Sequential of Dense layers holding the Params unchanged (kernel [fanIn,
 * fanOut] is the Params layout). An activation Keras's Dense layer lacks is written as
 * Dense(linear) followed by stock Keras layers that any TensorFlow.js or Keras can load, as its
 * entry in src/config/activations.ts says (relu-clipped = Dense(linear) + ReLU(maxValue = 1)).
 *
 * tfjs-node's file:// handler is not available here (it does not install), so saving and loading
 * go through a small io.IOHandler of our own. weights.bin is written before model.json, each
 * atomically (src/util/atomic.ts), so a model.json that can be seen always has its weights.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Params } from '../params.js';
import type { NetworkSpec } from '../engine.js';
import type { LayerActivation } from '../../config/schema.js';
import { activationSpec } from '../../config/activations.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { UserError, messageOf } from '../../util/errors.js';
import { firstIssue, parseJsonText } from '../../util/json.js';
import { readRegularFile } from '../../util/regular-file.js';
import { shown } from '../../util/format.js';

export const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/**
 * The layers that compute one layer of the network: a Dense layer with the activation's Keras
 * name, and the stock layers its table entry puts after it (src/config/activations.ts).
 */
function layersFor(l: number, units: number, inputs: number, act: LayerActivation): tf.layers.Layer[] {
  const { keras } = activationSpec(act);
  const dense = tf.layers.dense({ units, activation: keras.dense, name: `dense_${l + 1}`, ...(l === 0 ? { inputShape: [inputs] } : {}) });
  return [dense, ...(keras.after?.(tf.layers, l + 1) ?? [])];
}

/** The network as a tf.LayersModel holding `params` (dispose it when done). */
function toLayersModel(network: NetworkSpec, params: Params): tf.Sequential {
  const { sizes } = network;
  const model = tf.sequential();
  for (let l = 0; l + 1 < sizes.length; l++) {
    const act = l + 2 === sizes.length ? network.outputActivation : network.hiddenActivation;
    for (const layer of layersFor(l, sizes[l + 1], sizes[0], act)) model.add(layer);
  }
  const dense = model.layers.filter((layer) => layer.getClassName() === 'Dense');
  // setWeights copies into the layer's own variables: the tensors handed to it are ours to
  // dispose (kept, they leaked 2 tensors per layer on every save in a long-lived worker).
  tf.tidy(() =>
    dense.forEach((layer, l) =>
      layer.setWeights([tf.tensor2d(params.weights[l], [sizes[l], sizes[l + 1]]), tf.tensor1d(params.biases[l])]),
    ),
  );
  return model;
}

/** An io.IOHandler writing DIR/model.json + DIR/weights.bin (atomically, weights first). */
function saveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFileAtomic(path.join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
      await writeFileAtomic(path.join(dir, MODEL_JSON), `${JSON.stringify(modelJson)}\n`);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/** Writes the network as DIR/model.json + DIR/weights.bin. */
export async function saveLayersModel(dir: string, network: NetworkSpec, params: Params): Promise<void> {
  const model = toLayersModel(network, params);
  try {
    await model.save(saveHandler(dir));
  } finally {
    model.dispose();
  }
}

/** Largest model.json read: the topology of a few Dense layers is kilobytes. */
const MAX_MODEL_JSON_BYTES = 16 * 2 ** 20;
/** Largest total of weights read: the widest network of this project holds a few MB. */
const MAX_WEIGHT_BYTES = 1024 * 2 ** 20;

/** A layer of the Sequential topology: its class and config (checked further by `networkOf`). */
const LayerSchema = z.looseObject({ class_name: z.string(), config: z.looseObject({}) });

/** What model.json must hold for us to read it (validated, not trusted). */
const ModelJsonSchema = z.looseObject({
  modelTopology: z.looseObject({
    class_name: z.literal('Sequential', { error: 'only a Sequential model of Dense layers (as `train` writes) can be read' }),
    config: z.looseObject({ layers: z.array(LayerSchema).min(1).max(1000) }),
  }),
  format: z.string().optional(),
  weightsManifest: z
    .array(
      z.looseObject({
        paths: z.array(z.string()).min(1).max(1000),
        weights: z.array(
          z.looseObject({
            name: z.string(),
            shape: z
              .array(
                z
                  .number()
                  .int()
                  .min(0)
                  .max(2 ** 31),
              )
              .max(8),
            dtype: z.literal('float32', { error: 'only float32 weights can be read' }),
            quantization: z.undefined({ error: 'quantized weights cannot be read' }).optional(),
          }),
        ),
      }),
    )
    .min(1)
    .max(1000),
});
type ModelJson = z.output<typeof ModelJsonSchema>;

/** model.json and its weights, read and checked: the manifest's weights in order, and their bytes concatenated. */
interface CheckedModelFiles {
  json: ModelJson;
  specs: tf.io.WeightsManifestEntry[];
  data: ArrayBuffer;
  /** The file each weight's bytes came from, for messages. */
  fileOf: Map<string, string>;
}

/**
 * A manifest path, checked: relative, plain (no `..`, no backslash or NUL), so that joined to the
 * model's folder it stays inside it. The path a converter writes, "./weights.bin" or
 * "group1-shard1of2.bin", passes.
 */
function insidePath(modelJsonPath: string, p: string): string {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (p === '' || path.isAbsolute(p) || /[\\\0:]/.test(p) || parts.length === 0 || parts.includes('..')) {
    throw new UserError(`${modelJsonPath}: the weights path "${shown(p)}" leaves the model's folder; only names inside it are read`);
  }
  return path.join(path.dirname(modelJsonPath), ...parts);
}

/** The bytes a weight of this shape takes (float32), refusing a total beyond MAX_WEIGHT_BYTES. */
function bytesOf(modelJsonPath: string, shape: readonly number[]): number {
  const n = shape.reduce((a, b) => a * b, 1);
  if (4 * n > MAX_WEIGHT_BYTES) throw new UserError(`${modelJsonPath}: a weight of shape [${shape.join(', ')}] is larger than the limit`);
  return 4 * n;
}

/**
 * Reads model.json and the weight files its manifest names, checking before any weight is read
 * that every path stays inside the model's folder (also through a linked subfolder), that each is a
 * regular file and not a link, and that each group's files together hold exactly the bytes its
 * weights need. A UserError of one line naming the file otherwise.
 */
async function readModelFiles(modelJsonPath: string): Promise<CheckedModelFiles> {
  const text = readRegularFile(modelJsonPath, { what: 'model file', maxBytes: MAX_MODEL_JSON_BYTES }).toString('utf8');
  let raw: unknown;
  try {
    raw = parseJsonText(text, modelJsonPath);
  } catch (err) {
    throw new UserError(messageOf(err)); // the file is wrong, not the command line: exit 1
  }
  const parsed = ModelJsonSchema.safeParse(raw);
  if (!parsed.success) throw new UserError(`${modelJsonPath}: not a TensorFlow.js layers model (${firstIssue(parsed.error)})`);
  const json = parsed.data;
  const folder = await fs.realpath(path.dirname(modelJsonPath));
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  const fileOf = new Map<string, string>();
  let total = 0;
  for (const group of json.weightsManifest) {
    const files = group.paths.map((p) => insidePath(modelJsonPath, p));
    const need = group.weights.reduce((sum, w) => sum + bytesOf(modelJsonPath, w.shape), 0);
    total += need;
    if (total > MAX_WEIGHT_BYTES) throw new UserError(`${modelJsonPath}: the manifest's weights are larger than the limit`);
    // Kinds and sizes first: nothing is read from a group whose files do not add up.
    const sizes: number[] = [];
    for (const file of files) {
      let stat;
      try {
        stat = await fs.lstat(file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        const why = code === 'ENOENT' ? 'no such file' : code === 'ENOTDIR' ? 'a file is in the way in its path' : code;
        throw new UserError(`${file}: cannot read the weights named in ${modelJsonPath}: ${why}`);
      }
      if (stat.isSymbolicLink())
        throw new UserError(`${file}: the weights file is a symbolic link; only a regular file inside the model's folder is read`);
      if (!stat.isFile()) throw new UserError(`${file}: the weights file is not a regular file (a device, a pipe or a folder)`);
      const real = await fs.realpath(path.dirname(file));
      if (real !== folder && !real.startsWith(`${folder}${path.sep}`)) {
        throw new UserError(`${file}: the weights file lies outside the model's folder (through a link); only files inside it are read`);
      }
      sizes.push(stat.size);
    }
    const have = sizes.reduce((a, b) => a + b, 0);
    if (have !== need) {
      const where = files.length === 1 ? files[0] : `${files[0]} and ${files.length - 1} more`;
      throw new UserError(`${where}: holds ${have} bytes of weights, but ${modelJsonPath} lists ${need}`);
    }
    for (const [k, file] of files.entries()) {
      buffers.push(readRegularFile(file, { what: 'weights file', maxBytes: MAX_WEIGHT_BYTES, exactBytes: sizes[k], noSymlink: true }));
    }
    for (const w of group.weights) {
      specs.push({ name: w.name, shape: w.shape, dtype: 'float32' });
      fileOf.set(w.name, files.length === 1 ? files[0] : path.dirname(files[0]));
    }
  }
  const all = Buffer.concat(buffers);
  return { json, specs, data: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength), fileOf };
}

/** An io.IOHandler reading a model.json and the weight files its manifest names (checked as above), for tf.loadLayersModel. */
export function layersModelFileHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const { json, specs, data } = await readModelFiles(modelJsonPath);
      return {
        modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
        format: json.format,
        weightSpecs: specs,
        weightData: data,
      };
    },
  };
}

/** A saved network: its parameters and what each layer applies, as the topology says. */
export interface SavedNetwork {
  params: Params;
  /** One per layer of weights: the hidden layers', then the output's. */
  activations: string[];
}

const DenseConfigSchema = z.looseObject({
  name: z.string(),
  units: z.number().int().positive(),
  activation: z.enum(['linear', 'sigmoid', 'relu', 'tanh'], { error: 'an activation this program does not have' }),
  use_bias: z.literal(true, { error: 'a Dense layer without bias' }),
});
const ReluConfigSchema = z.looseObject({ max_value: z.union([z.null(), z.literal(1)]).optional() });
const RescalingConfigSchema = z.looseObject({ scale: z.literal(0.25), offset: z.literal(0).optional() });

/**
 * What each Dense layer computes with what follows it, in the encoding of `layersFor` above:
 * Dense(act) alone, Dense(linear) + ReLU(maxValue 1), Dense(linear) + ReLU + Rescaling(0.25), or
 * Dense(linear) + ReLU. Anything else is refused rather than guessed.
 */
function networkOf(
  modelJsonPath: string,
  layers: readonly z.output<typeof LayerSchema>[],
): { name: string; units: number; activation: string }[] {
  const out: { name: string; units: number; activation: string }[] = [];
  const refuse = (why: string): never => {
    throw new UserError(
      `${modelJsonPath}: ${why}; only Dense layers with ReLU or Rescaling(0.25) after them, as \`train\` writes, are read`,
    );
  };
  let k = 0;
  while (k < layers.length && layers[k].class_name === 'InputLayer') k++;
  while (k < layers.length) {
    const layer = layers[k++];
    if (layer.class_name !== 'Dense') refuse(`layer ${k} is a ${shown(String(layer.class_name))} where a Dense layer is expected`);
    const dense = DenseConfigSchema.safeParse(layer.config);
    if (!dense.success) return refuse(`layer ${k} (Dense): ${firstIssue(dense.error)}`);
    const follow = [];
    while (k < layers.length && layers[k].class_name !== 'Dense') follow.push(layers[k++]);
    const names = follow.map((f) => f.class_name).join('+');
    let activation: string = dense.data.activation;
    if (follow.length > 0) {
      const relu = follow[0].class_name === 'ReLU' ? ReluConfigSchema.safeParse(follow[0].config) : undefined;
      const clipped = relu?.success === true && relu.data.max_value === 1;
      const scaled =
        follow.length === 2 && follow[1].class_name === 'Rescaling' && RescalingConfigSchema.safeParse(follow[1].config).success;
      if (
        dense.data.activation !== 'linear' ||
        relu?.success !== true ||
        follow.length > 2 ||
        (follow.length === 2 && (!scaled || clipped))
      ) {
        refuse(`layer ${shown(dense.data.name)}: Dense(${dense.data.activation}) followed by ${shown(names)}`);
      }
      activation = clipped ? 'relu-clipped' : scaled ? 'relu-scaled' : 'relu';
    }
    out.push({ name: dense.data.name, units: dense.data.units, activation });
  }
  return out;
}

/**
 * The network a saved model.json holds, read without TensorFlow.js: its Dense layers' kernels and
 * biases (by name from the manifest, shapes checked against the topology) and each layer's
 * activation. Every weight must be finite. A file that cannot be read as such is a UserError of
 * one line naming it.
 */
export async function readLayersModel(modelJsonPath: string): Promise<SavedNetwork> {
  const { json, specs, data, fileOf } = await readModelFiles(modelJsonPath);
  const dense = networkOf(modelJsonPath, json.modelTopology.config.layers);
  const offsets = new Map<string, { offset: number; shape: number[] }>();
  let at = 0;
  for (const s of specs) {
    if (offsets.has(s.name)) throw new UserError(`${modelJsonPath}: the manifest lists the weight "${shown(s.name)}" twice`);
    offsets.set(s.name, { offset: at, shape: s.shape });
    at += 4 * s.shape.reduce((a, b) => a * b, 1);
  }
  const take = (name: string, shape: number[]): Float32Array => {
    const found = offsets.get(name);
    if (!found) throw new UserError(`${modelJsonPath}: the manifest has no weight "${shown(name)}"`);
    if (found.shape.join(',') !== shape.join(',')) {
      throw new UserError(
        `${modelJsonPath}: the weight "${shown(name)}" has shape [${found.shape.join(', ')}], but the layers need [${shape.join(', ')}]`,
      );
    }
    offsets.delete(name);
    const values = new Float32Array(data.slice(found.offset, found.offset + 4 * shape.reduce((a, b) => a * b, 1)));
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new UserError(`${fileOf.get(name)}: weight ${shown(name)}[${bad}] is ${values[bad]}; only finite weights are read`);
    return values;
  };
  const kernel0 = offsets.get(`${dense[0].name}/kernel`);
  if (!kernel0 || kernel0.shape.length !== 2)
    throw new UserError(`${modelJsonPath}: the manifest has no 2-D weight "${shown(dense[0].name)}/kernel"`);
  const sizes = [kernel0.shape[0], ...dense.map((d) => d.units)];
  const weights = dense.map((d, l) => take(`${d.name}/kernel`, [sizes[l], d.units]));
  const biases = dense.map((d) => take(`${d.name}/bias`, [d.units]));
  const extra = [...offsets.keys()];
  if (extra.length > 0) throw new UserError(`${modelJsonPath}: the manifest lists "${shown(extra[0])}", which no Dense layer holds`);
  return { params: { sizes, weights, biases }, activations: dense.map((d) => d.activation) };
}
