/** Versions the report states: Node, TensorFlow.js, and this project. */
import { projectVersion } from '../util/version.js';
import type { Versions } from './store.js';

export function versionsWith(tfjs: string | undefined): Versions {
  return { node: process.version, tfjs: tfjs ?? 'unknown', project: projectVersion() };
}
