/**
 * Run configs: the shipped files describe the article's networks, every mistake in a file or
 * an overriding flag is one UsageError line naming the file or flag and the field, and
 * configs/README.md documents every field the schema accepts.
 */
import { expect } from 'chai';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyOverrides, loadConfigFile, type ConfigOverrides } from '../src/config/load.js';
import { DataConfigSchema, InitConfigSchema, RunConfigSchema } from '../src/config/schema.js';
import { usageMessage } from './helpers/usage-error.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONFIGS = path.join(ROOT, 'configs');
const ARTICLE_HIDDEN = [150, 100, 50, 30, 15];

describe('config: the shipped run configs', () => {
  const names = readdirSync(CONFIGS).filter((f) => /^(sigmoid|relu)\d\.json$/.test(f));

  it('are sigmoid3..7 and relu3..7', () => {
    const expected = ['sigmoid', 'relu'].flatMap((a) => [3, 4, 5, 6, 7].map((n) => `${a}${n}.json`));
    expect([...names].sort()).to.deep.equal([...expected].sort());
  });

  it('count layers as the article does (input + hidden + output) and take the first hidden sizes of 150,100,50,30,15', () => {
    for (const file of names) {
      const [, activation, layers] = /^(sigmoid|relu)(\d)\.json$/.exec(file)!;
      const c = loadConfigFile(path.join(CONFIGS, file));
      expect(c.name, file).to.equal(file.replace('.json', ''));
      expect(c.activation, file).to.equal(activation);
      expect(c.hidden, file).to.deep.equal(ARTICLE_HIDDEN.slice(0, Number(layers) - 2));
      expect(c.hidden.length + 2, file).to.equal(Number(layers));
      expect(c.outputActivation, file).to.equal('sigmoid');
      expect(c.data, file).to.deep.equal({
        positive: 'airplane',
        negative: 'ship',
        trainPerClass: 2000,
        testPerClass: 200,
        validationPerClass: 500,
        color: 'gray',
        fullTest: true,
      });
    }
  });

  it('share the training settings within each activation (only the depth differs)', () => {
    for (const activation of ['sigmoid', 'relu']) {
      const settings = [3, 4, 5, 6, 7].map((n) => {
        const c = loadConfigFile(path.join(CONFIGS, `${activation}${n}.json`));
        return JSON.stringify([c.init, c.learningRate, c.momentum, c.batchSize, c.epochs, c.seed, c.engine, c.backend]);
      });
      expect(new Set(settings).size, activation).to.equal(1);
    }
  });

  it('configs/README.md documents every field a config may have', () => {
    const readme = readFileSync(path.join(CONFIGS, 'README.md'), 'utf8');
    const fields = [
      ...Object.keys(RunConfigSchema.shape),
      ...Object.keys(DataConfigSchema.shape).map((k) => `data.${k}`),
      ...Object.keys(InitConfigSchema.shape).map((k) => `init.${k}`),
    ];
    expect(fields.length).to.be.above(15);
    for (const f of fields) expect(readme, f).to.include(`\`${f}\``);
  });
});

describe('config: mistakes in a file', () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'config-spec-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const good = { hidden: [150], activation: 'sigmoid' };
  const cases: [string, unknown, RegExp][] = [
    ['unknown key', { ...good, lerningRate: 0.1 }, /: unknown key "lerningRate"; see configs\/README\.md/],
    ['unknown nested key', { ...good, data: { positive: 'airplane', colour: 'rgb' } }, /: unknown key "colour" in "data"/],
    ['wrong type (string for array)', { ...good, hidden: '150' }, /: field "hidden": expected array, received string/],
    ['wrong type (string for number)', { ...good, epochs: '10' }, /: field "epochs": expected number, received string/],
    ['missing required field', { hidden: [10] }, /: field "activation": /],
    ['unknown activation', { ...good, activation: 'softplus' }, /: field "activation": .*"sigmoid"\|"relu"\|"tanh"/],
    ['hidden size 0', { ...good, hidden: [150, 0] }, /: field "hidden\.1": Too small: expected number to be >=1/],
    ['fractional hidden size', { ...good, hidden: [1.5] }, /: field "hidden\.0": expected int/],
    ['negative learning rate', { ...good, learningRate: -0.1 }, /: field "learningRate": Too small: expected number to be >0/],
    ['momentum 1', { ...good, momentum: 1 }, /: field "momentum": Too big: expected number to be <1/],
    ['batch size 0', { ...good, batchSize: 0 }, /: field "batchSize": Too small: expected number to be >=1/],
    [
      'more training images than the class has',
      { ...good, data: { trainPerClass: 5001 } },
      /: field "data\.trainPerClass": Too big: expected number to be <=5000/,
    ],
    [
      'more test images than the class has',
      { ...good, data: { testPerClass: 1001 } },
      /: field "data\.testPerClass": Too big: expected number to be <=1000/,
    ],
    ['unknown class', { ...good, data: { positive: 'plane' } }, /: field "data\.positive": .*"airplane"/],
    [
      'the same class twice',
      { ...good, data: { positive: 'ship', negative: 'ship' } },
      /: field "data\.negative": must differ from data\.positive \("ship"\)/,
    ],
    [
      'batch larger than the training set',
      { ...good, batchSize: 4001 },
      /: field "batchSize": must be at most the training set size \(4000\)/,
    ],
    ['normal init without std', { ...good, init: { scheme: 'normal' } }, /: field "init\.std": is required when init\.scheme is "normal"/],
    ['a JSON array', [1, 2], /: expected a JSON object with the run's settings/],
  ];
  for (const [what, content, message] of cases) {
    it(`${what}: one line naming the file and the field`, async () => {
      const file = path.join(dir, `${what.replace(/\W+/g, '-')}.json`);
      await fs.writeFile(file, JSON.stringify(content));
      const m = usageMessage(() => loadConfigFile(file));
      expect(m.startsWith(`${file}: `), m).to.equal(true);
      expect(m).to.match(message);
    });
  }

  it('JSON syntax errors, missing files and directories', async () => {
    const broken = path.join(dir, 'broken.json');
    await fs.writeFile(broken, '{"hidden": [150], "activation": "relu",}');
    expect(usageMessage(() => loadConfigFile(broken))).to.match(/broken\.json: not valid JSON: /);
    expect(usageMessage(() => loadConfigFile(path.join(dir, 'absent.json')))).to.match(/absent\.json: cannot read config: no such file$/);
    expect(usageMessage(() => loadConfigFile(dir))).to.match(/: cannot read config: is a directory, expected a JSON file$/);
  });
});

describe('config: command-line overrides', () => {
  const base = () => loadConfigFile(path.join(CONFIGS, 'relu3.json'));

  it("replace the file's values and keep the rest", () => {
    const c = applyOverrides(base(), { epochs: 3, seed: 9, learningRate: 0.5, batchSize: 7, backend: 'cpu', engine: 'handwritten' });
    expect([c.epochs, c.seed, c.learningRate, c.batchSize, c.backend, c.engine]).to.deep.equal([3, 9, 0.5, 7, 'cpu', 'handwritten']);
    expect(c.name).to.equal('relu3');
    expect(c.hidden).to.deep.equal([150]);
  });

  const bad: [ConfigOverrides, RegExp][] = [
    [{ epochs: 0 }, /^--epochs: Too small: expected number to be >=1$/],
    [{ epochs: 2.5 }, /^--epochs: expected int/],
    [{ seed: -1 }, /^--seed: Too small/],
    [{ learningRate: -1 }, /^--lr: Too small: expected number to be >0$/],
    [{ learningRate: NaN }, /^--lr: /],
    [{ batchSize: 0 }, /^--batch-size: Too small/],
    [{ batchSize: 4001 }, /^--batch-size: must be at most the training set size \(4000\)$/],
    [{ backend: 'gpu' }, /^--backend: .*"auto"\|"tensorflow"\|"wasm"\|"cpu"/],
    [{ engine: 'keras' }, /^--engine: .*"tfjs"\|"handwritten"/],
  ];
  for (const [overrides, message] of bad) {
    it(`reject ${JSON.stringify(overrides, (_k, v) => (Number.isNaN(v) ? 'NaN' : v))} naming the flag`, () => {
      expect(usageMessage(() => applyOverrides(base(), overrides))).to.match(message);
    });
  }
});
