/**
 * The search's claims and its distance to the article, by the reproduction's one judge
 * (src/reports/verdicts.ts, the margins of src/reports/claim-margins.ts):
 *
 *   stage E    every promoted (cell, arm) judged claim by claim on its promoted runs: the runs.csv
 *              rows of its ten networks at the arm's rates on the promoted seeds, judged on the
 *              full test split with the crossed bootstrap over seeds x test images, as
 *              `reproduce` judges its runs.csv and test-images.csv;
 *   screen     every (cell, arm) on the screening seeds, where no run scored the test set: each
 *              claim's statistic with the validation accuracy (at the epoch of lowest validation
 *              loss) in place of the test accuracy. Only its distance is used: it ranks the cells
 *              for the rules' fallback, which chooses on the validation split like every other
 *              choice of the search.
 *
 * Stage D's fallback ("if no cell passes, the two nearest cells by distance on the screening
 * seeds are promoted") is here too, as it needs the screening distance.
 */
import { runRowsOf, type RunRow } from '../reports/runs-table.js';
import { judgeClaims, type ClaimResult } from '../reports/verdicts.js';
import { MARGINS } from '../reports/claim-margins.js';
import { bootstrapsOf } from '../reports/claims/registry.js';
import { testImagesOfRuns, type TestImages } from '../reports/test-images.js';
import type { TrainRecord } from '../experiment/store.js';
import type { SearchConfig } from './config.js';
import { cellDistance, type CellDistance } from './distance.js';
import { promotedCells, runKey, type CellChoice, type Outcomes } from './plan.js';

/** How many cells the rules promote when no cell passes ("the two nearest cells"). */
const FALLBACK_PROMOTED = 2;

/** A (cell, arm)'s distance on the screening seeds (validation accuracy in place of test accuracy). */
export interface ScreenDistance {
  choice: CellChoice;
  distance: CellDistance;
}

/** A promoted (cell, arm) judged on its promoted runs (stage E). */
export interface Judgement {
  choice: CellChoice;
  /** Its runs as runs.csv rows (named by network, without the clock column), and their test images. */
  rows: RunRow[];
  images: TestImages | null;
  claims: ClaimResult[];
  distance: CellDistance;
}

/** A promoted run's record and its folder (for predictions.csv). */
export interface PromotedRecord {
  record: TrainRecord;
  dir: string;
}

/**
 * The distance of the judge's estimates. The runs' stop reasons are left out, so that a network
 * that was still learning when training stopped (whose parts the verdicts mark "still learning",
 * without an estimate) still has its estimate measured.
 */
function distanceOf(config: SearchConfig, rows: readonly RunRow[]): CellDistance {
  const estimates = judgeClaims(
    rows.map(({ stop_reason: _ignored, ...row }) => row),
    MARGINS,
  );
  return cellDistance(estimates, config.rules.distanceClaims);
}

/** The screening runs of a (cell, arm) at its chosen rates, as runs.csv rows with validation accuracy as the accuracy. */
export function screenRows(config: SearchConfig, outcomes: Outcomes, choice: CellChoice): RunRow[] {
  return config.rules.networks.flatMap((network) => {
    const learningRate = choice.rates.get(network);
    if (learningRate === undefined) return [];
    const net = config.networks.get(network)!;
    return config.rules.seeds.screen.flatMap((seed) => {
      const o = outcomes.get(runKey({ network, cell: choice.cell, learningRate, seed }));
      if (!o) return [];
      const row: RunRow = {
        config: network,
        activation: net.activation,
        layers: net.hidden.length + 2,
        seed,
        test_acc: o.valAccuracy,
        val_acc: o.valAccuracy,
      };
      return [row];
    });
  });
}

export function screenDistances(config: SearchConfig, outcomes: Outcomes, choices: readonly CellChoice[]): ScreenDistance[] {
  return choices.map((choice) => ({ choice, distance: distanceOf(config, screenRows(config, outcomes, choice)) }));
}

/**
 * Stage D's cells: the passing ones (promotedCells); when none passes, the FALLBACK_PROMOTED
 * nearest on the screening seeds (the smaller distance first, grid order on a tie), of those
 * that have a rate for every network (a cell whose ReLU networks never ran cannot be run on
 * the promoted seeds).
 */
export function stageDCells(
  config: SearchConfig,
  choices: readonly CellChoice[],
  screen: readonly ScreenDistance[],
): { promoted: CellChoice[]; fallback: boolean } {
  const passing = promotedCells(config, choices);
  if (passing.length > 0 || config.rules.maxPromoted === 0) return { promoted: passing, fallback: false };
  const nearest = screen
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => config.rules.networks.every((n) => s.choice.rates.has(n)))
    .sort((a, b) => a.s.distance.distance - b.s.distance.distance || a.i - b.i)
    .slice(0, Math.min(FALLBACK_PROMOTED, config.rules.maxPromoted))
    .map(({ s }) => s.choice);
  return { promoted: nearest, fallback: nearest.length > 0 };
}

/** Stage E for one promoted (cell, arm): its runs at the arm's rates on the promoted seeds, judged. */
export function judgePromoted(config: SearchConfig, choice: CellChoice, records: ReadonlyMap<string, PromotedRecord>): Judgement {
  const found = config.rules.networks.flatMap((network) =>
    config.rules.seeds.promoted.map((seed) => {
      const key = runKey({ network, cell: choice.cell, learningRate: choice.rates.get(network)!, seed });
      const r = records.get(key);
      if (!r) throw new Error(`stage E: no promoted run ${key}`);
      return { network, ...r };
    }),
  );
  // The judge sees the networks by name; the clock column differs between machines and is no evidence.
  const rows = runRowsOf(
    found.map((f) => f.record),
    [],
  ).map(({ seconds: _clock, ...row }, k) => ({ ...row, config: found[k].network }));
  const images = testImagesOfRuns(found.map((f) => ({ config: f.record.config, configName: f.network, seed: f.record.seed, dir: f.dir })));
  return {
    choice,
    rows,
    images,
    claims: judgeClaims(rows, MARGINS, bootstrapsOf(rows, images)),
    distance: distanceOf(config, rows),
  };
}
