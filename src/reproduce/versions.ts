/** Versions the report states: Node, TensorFlow.js, and this project. */
import { readFileSync } from 'node:fs';
import type { Versions } from './store.js';

let projectVersion: string | undefined;

/** This package's version, from package.json two folders up (works from src/ and dist/ alike). */
export function projectVersionOf(): string {
  if (projectVersion === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
      projectVersion = pkg.version ?? 'unknown';
    } catch {
      projectVersion = 'unknown';
    }
  }
  return projectVersion;
}

export function versionsWith(tfjs: string | undefined): Versions {
  return { node: process.version, tfjs: tfjs ?? 'unknown', project: projectVersionOf() };
}
