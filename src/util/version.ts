/** This project's version, from package.json (two folders up from both src/util and dist/util). */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function projectVersion(): string {
  if (cached === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
      cached = pkg.version ?? 'unknown';
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
