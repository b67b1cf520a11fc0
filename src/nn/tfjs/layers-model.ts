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
  dense.forEach((layer, l) => layer.setWeights([tf.tensor2d(params.weights[l], [sizes[l], sizes[l + 1]]), tf.tensor1d(params.biases[l])]));
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

/** What model.json must hold for us to read it (validated, not trusted). */
const ModelJsonSchema = z.looseObject({
  modelTopology: z.looseObject({}),
  format: z.string().optional(),
  weightsManifest: z.array(z.looseObject({ paths: z.array(z.string()).min(1), weights: z.array(z.looseObject({ name: z.string() })) })),
});

/** An io.IOHandler reading a model.json and the weight files its manifest names (beside it), for tf.loadLayersModel. */
export function layersModelFileHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const parsed = ModelJsonSchema.safeParse(JSON.parse(await fs.readFile(modelJsonPath, 'utf8')));
      if (!parsed.success) throw new Error(`not a TensorFlow.js layers model: ${parsed.error.issues[0].message}`);
      const dir = path.dirname(modelJsonPath);
      return tf.io.getModelArtifactsForJSON(parsed.data as unknown as tf.io.ModelJSON, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const bytes = await fs.readFile(path.join(dir, p));
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
          }
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

/**
 * The Params of a saved model.json (its Dense layers' kernels and biases, in order). A file that
 * cannot be read as such is a user error naming it.
 */
export async function loadLayersModelParams(modelJsonPath: string): Promise<Params> {
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(layersModelFileHandler(modelJsonPath));
  } catch (err) {
    throw new UserError(`${modelJsonPath}: cannot load it as a TensorFlow.js layers model (${messageOf(err)})`);
  }
  try {
    const dense = model.layers.filter((layer) => layer.getClassName() === 'Dense');
    if (dense.length === 0) throw new UserError(`${modelJsonPath}: the model has no Dense layer`);
    const weights: Float32Array[] = [];
    const biases: Float32Array[] = [];
    const sizes: number[] = [];
    for (const layer of dense) {
      const [kernel, bias] = layer.getWeights();
      if (!bias) throw new UserError(`${modelJsonPath}: layer ${layer.name} has no bias`);
      const [fanIn, fanOut] = kernel.shape as [number, number];
      if (sizes.length === 0) sizes.push(fanIn);
      sizes.push(fanOut);
      weights.push(Float32Array.from(kernel.dataSync()));
      biases.push(Float32Array.from(bias.dataSync()));
    }
    return { sizes, weights, biases };
  } finally {
    model.dispose();
  }
}
