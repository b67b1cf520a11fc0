/**
 * The confirmatory run behind the README (docs/results/confirmatory/) can be re-judged by anyone:
 * `report --runs` on its runs.csv, with test-images.csv beside it, gives the committed claims.csv
 * byte for byte.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRunsCsv } from '../src/reports/runs-csv.js';
import { readTestImagesBeside } from '../src/reports/test-images.js';
import { buildReport, runsFileContext } from '../src/reports/build-report.js';

const DIR = 'docs/results/confirmatory';

describe('docs/results/confirmatory: the committed verdicts follow from the committed runs', function () {
  this.timeout(300_000);
  let out: string;
  before(() => {
    out = mkdtempSync(path.join(os.tmpdir(), 'confirmatory-'));
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('report --runs on runs.csv (with test-images.csv) gives the committed claims.csv', async () => {
    const runsFile = path.join(DIR, 'runs.csv');
    const runs = await readRunsCsv(runsFile);
    const images = readTestImagesBeside(runsFile, runs);
    expect(images, 'test-images.csv beside runs.csv').to.not.equal(null);
    expect(runs).to.have.length(100);
    const built = await buildReport(out, runs, runsFileContext(runsFile, out, runs, new Date(), 'en', images));
    expect(readFileSync(built.claimsCsv, 'utf8')).to.equal(readFileSync(path.join(DIR, 'claims.csv'), 'utf8'));
  });
});
