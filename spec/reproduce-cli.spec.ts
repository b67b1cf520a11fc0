/**
 * The `reproduce` command's options: the "reproduce with" line the report shows is the command
 * that decides the numbers, quoted so that pasting it into a shell runs exactly that.
 */
import { expect } from 'chai';
import { resultCommand, type ReproduceArgs } from '../src/cli/reproduce.js';

const args = (extra: Partial<ReproduceArgs>): ReproduceArgs => ({
  config: 'configs/reproduce.json',
  out: 'outputs/reproduce',
  progress: 'none',
  lang: 'en',
  ...extra,
});

describe('reproduce command line', () => {
  it('names the config and the flags that decide the numbers, in a fixed order, and not where or how fast it ran', () => {
    expect(resultCommand(args({}))).to.equal('node dist/run.js reproduce --config configs/reproduce.json');
    expect(
      resultCommand(args({ engine: 'handwritten', seeds: 2, 'test-per-class': 20, jobs: 3, shard: '1/2', out: 'elsewhere' })),
    ).to.equal('node dist/run.js reproduce --config configs/reproduce.json --seeds 2 --test-per-class 20 --engine handwritten');
  });

  it('quotes what a shell would read otherwise', () => {
    expect(resultCommand(args({ config: "my configs/it's $(here).json" }))).to.equal(
      `node dist/run.js reproduce --config 'my configs/it'\\''s $(here).json'`,
    );
  });
});
