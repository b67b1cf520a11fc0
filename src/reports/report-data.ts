/**
 * What the reproduction report shows, gathered into one plain object that the Markdown and
 * HTML renderers turn into text. Building it is separate from rendering so the verdicts and
 * the wording can be tested on hand-made data without any files.
 */
import type { RunConfig } from '../config/schema.js';
import type { SummaryRow } from './summary.js';
import type { ClaimResult } from './report-claims.js';

export interface ReportChart {
  /** File stem under charts/, e.g. "accuracy-by-depth". */
  name: string;
  title: string;
  caption: string;
  /** Absolute paths of the rendered files (PNG always; SVG when available). */
  png: string;
  svg?: string;
}

interface ReportEnvironment {
  backend: string;
  engine: string;
  versions: string;
  machine: string;
  wallTime: string;
  computeTime: string;
  dataSource: string;
}

export interface ReportData {
  title: string;
  generatedAt: string;
  /** The reproduce config the sweep ran, and the command that reproduces it. */
  source: string;
  command: string;
  claims: ClaimResult[];
  rows: SummaryRow[];
  /** The settings of the runs, one statement each ("epochs 30", "learning rate 0.1", ...). */
  settings: string[];
  environment: ReportEnvironment;
  charts: ReportChart[];
  /** Anything the reader should know (missing probes, single seed, ...). */
  notes: string[];
}

/** Fields of a run config worth stating in the report, with how to print them. */
const SETTING_FIELDS: [string, (c: RunConfig) => string][] = [
  ['epochs', (c) => String(c.epochs)],
  ['learning rate', (c) => String(c.learningRate)],
  ['momentum', (c) => String(c.momentum)],
  ['batch size', (c) => String(c.batchSize)],
  ['initialisation', (c) => (c.init.scheme === 'normal' ? `normal (std ${c.init.std})` : c.init.scheme)],
  ['output activation', (c) => c.outputActivation],
  ['engine', (c) => c.engine],
  ['backend requested', (c) => c.backend],
  [
    'data',
    (c) =>
      `${c.data.positive} (1) vs ${c.data.negative} (0), ${c.data.trainPerClass} train / ${c.data.testPerClass} test per class, ${c.data.color}`,
  ],
];

/**
 * One statement per setting: "epochs 30" when every config agrees, otherwise the value per
 * config ("learning rate: 0.1 (sigmoid3, sigmoid4), 0.01 (relu7)").
 */
export function describeSettings(configs: readonly RunConfig[]): string[] {
  const unique = new Map<string, RunConfig>();
  for (const c of configs) if (!unique.has(c.name)) unique.set(c.name, c);
  const list = [...unique.values()];
  if (list.length === 0) return [];
  return SETTING_FIELDS.map(([label, show]) => {
    const groups = new Map<string, string[]>();
    for (const c of list) groups.set(show(c), [...(groups.get(show(c)) ?? []), c.name]);
    if (groups.size === 1) return `${label} ${[...groups.keys()][0]}`;
    return `${label}: ${[...groups.entries()].map(([v, names]) => `${v} (${names.join(', ')})`).join(', ')}`;
  });
}
