/**
 * The confirmatory run behind the README (docs/results/confirmatory/) can be re-judged by anyone:
 * `report --runs` on its runs.csv, with test-images.csv and trajectories.csv beside it, gives the
 * committed claims.csv byte for byte, and the committed report's trajectory section and claim 8's
 * figures at the budgets.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRunsCsv } from '../src/reports/runs-csv.js';
import { readTestImagesBeside } from '../src/reports/test-images.js';
import { readTrajectoriesBeside } from '../src/reports/trajectories.js';
import { buildReport, runsFileContext } from '../src/reports/build-report.js';

const DIR = 'docs/results/confirmatory';

describe('docs/results/confirmatory: the committed verdicts follow from the committed runs', function () {
  this.timeout(300_000);
  let out: string;
  before(() => {
    out = mkdtempSync(path.join(os.tmpdir(), 'confirmatory-'));
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('report --runs on runs.csv (with test-images.csv and trajectories.csv) gives the committed claims.csv and trajectory section', async () => {
    const runsFile = path.join(DIR, 'runs.csv');
    const runs = await readRunsCsv(runsFile);
    const images = readTestImagesBeside(runsFile, runs);
    expect(images, 'test-images.csv beside runs.csv').to.not.equal(null);
    expect(runs).to.have.length(100);
    const trajectories = readTrajectoriesBeside(runsFile, runs);
    expect(trajectories, 'trajectories.csv beside runs.csv').to.have.length(20);
    const built = await buildReport(out, runs, runsFileContext(runsFile, out, runs, new Date(), 'en', images, trajectories));
    expect(readFileSync(built.claimsCsv, 'utf8')).to.equal(readFileSync(path.join(DIR, 'claims.csv'), 'utf8'));
    // What the report shows of the trajectories, beside the verdicts: the same lines in the committed report.
    const committed = readFileSync(path.join(DIR, 'report.md'), 'utf8');
    const mine = readFileSync(built.report.md, 'utf8');
    const section = (md: string) => md.slice(md.indexOf('\n## The 7-layer networks'), md.indexOf('\n## How the verdicts move'));
    expect(section(mine)).to.include('| 100 | 18.55 (10) |');
    expect(section(mine)).to.equal(section(committed));
    const budgets = mine.split('\n').find((l) => l.startsWith('- (a) at other epochs'));
    expect(budgets).to.include('had training ended at 40 epochs');
    expect(committed.split('\n')).to.include(budgets);
  });
});
