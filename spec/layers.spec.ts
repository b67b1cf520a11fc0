/**
 * The import rule of src/ (.dependency-cruiser.cjs) must fail on what it forbids: an upward
 * import between folders and a circle. Checked on a small tree this test writes, so the rule
 * is shown to bite without ever breaking the real tree.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const projectRoot = path.resolve(import.meta.dirname, '..');
const depcruise = path.join(projectRoot, 'node_modules', '.bin', 'depcruise');
const rules = path.join(projectRoot, '.dependency-cruiser.cjs');

function cruise(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'layers-'));
  try {
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src/**/*.ts'] }),
    );
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    const r = spawnSync(depcruise, ['src', '--config', rules], { cwd: dir, encoding: 'utf8' });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('layers: the dependency rule', function () {
  this.timeout(60_000);

  it('passes a tree whose imports point down', () => {
    const r = cruise({
      'src/util/a.ts': 'export const a = 1;\n',
      'src/nn/b.ts': "import { a } from '../util/a.js';\nexport const b = a + 1;\n",
    });
    expect(r.status, r.output).to.equal(0);
  });

  it('fails on an upward import (util importing nn)', () => {
    const r = cruise({
      'src/util/a.ts': "import { b } from '../nn/b.js';\nexport const a = b;\n",
      'src/nn/b.ts': 'export const b = 1;\n',
    });
    expect(r.status).to.not.equal(0);
    expect(r.output).to.match(/no-upward-from-util/);
  });

  it('fails on a circle inside one folder', () => {
    const r = cruise({
      'src/training/a.ts': "import { b } from './b.js';\nexport const a = (): number => b();\n",
      'src/training/b.ts': "import { a } from './a.js';\nexport const b = (): number => a();\n",
    });
    expect(r.status).to.not.equal(0);
    expect(r.output).to.match(/no-circular/);
  });
});
