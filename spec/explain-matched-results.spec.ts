/**
 * The registered explain rerun behind the README (docs/results/explain-matched/) can be re-judged by
 * anyone: its explain-runs.csv, judged by the decision block of configs/explain-matched.json, gives
 * the committed explain-verdict.csv byte for byte.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadExplainConfig } from '../src/explain/config.js';
import { judgeExplainRuns, readExplainRuns, verdictCsv } from '../src/explain/runs-file.js';

const DIR = 'docs/results/explain-matched';

describe('docs/results/explain-matched: the committed verdict follows from the committed runs', () => {
  it('explain-runs.csv judged by the registered decision gives explain-verdict.csv', () => {
    const config = loadExplainConfig('configs/explain-matched.json');
    expect(config.decision, 'the registered decision block').to.not.equal(undefined);
    const file = path.join(DIR, 'explain-runs.csv');
    const runs = readExplainRuns(file);
    expect(runs).to.have.length(40);
    expect(verdictCsv(judgeExplainRuns(runs, config.decision, file))).to.equal(readFileSync(path.join(DIR, 'explain-verdict.csv'), 'utf8'));
  });
});
