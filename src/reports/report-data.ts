/**
 * What the reproduction report shows, gathered into one plain object that the Markdown and
 * HTML renderers turn into text. Building it is separate from rendering so the verdicts and
 * the wording can be tested on hand-made data without any files.
 */
import { FLATNESS_FLOOR, INSIDE_MARGIN, type SensitivityRow as LandscapeSensitivityRow } from '../probes/landscape-rules.js';
import type { RunConfig } from '../config/schema.js';
import type { SummaryRow } from './summary.js';
import { CONFIDENCE, type ClaimResult } from './claims/claim.js';
import {
  claimNumber,
  isPrimary,
  judgedParts,
  marginText,
  PRIMARY_PARTS,
  type MarginName,
  type Margins,
  type SensitivityRow,
} from './claims/registry.js';
import { ARTICLE_ACCURACY } from './claims/accuracy-level.js';
import { estimateText, verdictLabel } from './claims-table.js';
import { pct } from '../util/format.js';
import type { RunRow } from './runs-table.js';
import { reportStrings, type Lang } from './i18n.js';

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
  /** The language of the report's own words (numbers, names and the CSVs are the same in every language). */
  lang: Lang;
  title: string;
  generatedAt: string;
  /** The reproduce config the sweep ran, and the command that reproduces it. */
  source: string;
  command: string;
  claims: ClaimResult[];
  /** The margins the verdicts used, and the verdicts at the alternative margins. */
  margins: Margins;
  sensitivity: SensitivityRow[];
  rows: SummaryRow[];
  /** The settings of the runs, one statement each ("epochs 30", "learning rate 0.1", ...). */
  settings: string[];
  /** Absent when the report is built from a runs table alone (`report --runs`). */
  environment?: ReportEnvironment;
  charts: ReportChart[];
  /** Anything the reader should know (missing probes, single seed, ...). */
  notes: string[];
  /** The landscape claim's curve counts as the landscape rules' two free constants move (absent without probed curves). */
  landscapeRules?: TextTable;
  /** How the networks were trained: rules file, learning rates, stopping and budgets (a reproduction's folder only). */
  protocol?: { lines: string[]; tables: { title: string; table: TextTable }[] };
  /** The probed networks epoch by epoch (trajectories.csv), shown after the author's explanation. */
  trajectories?: { tables: { title: string; table: TextTable }[] };
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
      `${c.data.positive} (1) vs ${c.data.negative} (0), ${c.data.trainPerClass} train / ${c.data.validationPerClass} validation / ${c.data.testPerClass} test per class, ${c.data.color}`,
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

/** The settings a runs table records (columns epochs, batch_size, learning_rate, init), one statement each. */
export function describeRunSettings(runs: readonly RunRow[]): string[] {
  const seeds = [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b);
  const fields: [string, (r: RunRow) => string | number | undefined][] = [
    ['epochs', (r) => r.epochs],
    ['learning rate', (r) => r.learning_rate],
    ['batch size', (r) => r.batch_size],
    ['initialisation', (r) => r.init],
  ];
  return [
    `seeds ${seeds.join(', ')}`,
    ...fields.flatMap(([label, pick]) => {
      const groups = new Map<string, Set<string>>();
      for (const r of runs) {
        const v = pick(r);
        if (v === undefined) continue;
        groups.set(String(v), (groups.get(String(v)) ?? new Set()).add(r.config));
      }
      if (groups.size === 0) return [];
      if (groups.size === 1) return [`${label} ${[...groups.keys()][0]}`];
      return [`${label}: ${[...groups.entries()].map(([v, names]) => `${v} (${[...names].join(', ')})`).join(', ')}`];
    }),
  ];
}

/** A table as text cells: what both renderers print. */
export interface TextTable {
  headers: string[];
  rows: string[][];
}

/** One row per claim part, the claim's overall verdict on its first row. */
export function claimsTable(claims: readonly ClaimResult[], lang: Lang = 'en'): TextTable {
  return {
    headers: reportStrings(lang).claimsHeaders((100 * CONFIDENCE).toFixed(0)),
    rows: claims.flatMap((c) =>
      c.parts.map((p, i) => [
        i === 0 ? String(c.number) : '',
        i === 0 ? claimText(c, lang) : '',
        i === 0 ? verdictLabel(c.verdict, lang) : '',
        `${p.part}${isPrimary(c.id, p.part) ? reportStrings(lang).method.primaryMark : ''}`,
        p.statistic,
        estimateText(p),
        p.region,
        verdictLabel(p.verdict, lang),
      ]),
    ),
  };
}

/** The claim as the report names it: the English paraphrase, or in Japanese the article's words (a paraphrase marked as one). */
export function claimText(c: ClaimResult, lang: Lang): string {
  if (lang === 'en') return c.claim;
  return c.articleJa.verbatim ? `「${c.articleJa.text}」` : `${c.articleJa.text}（要約）`;
}

/** The article's words beside a claim's statistics: a quote, or a paraphrase said to be one. */
export function articleWords(c: ClaimResult, lang: Lang): string | null {
  if (lang === 'en') return null;
  const s = reportStrings(lang);
  return c.articleJa.verbatim ? s.articleQuote(c.articleJa.text) : s.articleParaphrase(c.articleJa.text);
}

export function summaryTable(rows: readonly SummaryRow[], lang: Lang = 'en'): TextTable {
  const opt = (x: number, show: (v: number) => string): string => (Number.isFinite(x) ? show(x) : 'n/a');
  return {
    headers: reportStrings(lang).summaryHeaders,
    rows: rows.map((r) => [
      r.config,
      r.activation,
      String(r.layers),
      String(r.seeds.length),
      `${pct(r.test.value)}${Number.isFinite(r.test.low) ? ` [${pct(r.test.low)}, ${pct(r.test.high)}]` : ''}`,
      opt(r.testSd, (v) => (100 * v).toFixed(1)),
      opt(r.testFinalMean, pct),
      opt(r.testLast5Mean, pct),
      opt(r.trainMean, pct),
      opt(r.bestEpochMean, (v) => v.toFixed(1)),
      opt(r.secondsMean, (v) => `${v.toFixed(1)} s`),
    ]),
  };
}

/** The opening of the report's section "The author's explanation", in sentences; `claims` are that section's. */
export function explanationIntro(claims: readonly ClaimResult[], lang: Lang = 'en'): string[] {
  const numbers = claims.map((c) => c.number);
  return reportStrings(lang).explanationIntro(Math.min(...numbers), Math.max(...numbers));
}

/** What the section on the landscape rules shows, in one sentence. */
export function landscapeRulesIntro(lang: Lang = 'en'): string {
  return reportStrings(lang).landscapeRulesIntro(claimNumber('landscape-shape'));
}

/** How verdicts are reached, in sentences; `claims` are the judged claims, for how many parts were judged. */
export function methodText(margins: Margins, claims: readonly ClaimResult[], lang: Lang = 'en'): string[] {
  const words = reportStrings(lang).method;
  const stated = (Object.keys(margins) as MarginName[]).map((k) => marginText(k, margins[k])).join('; ');
  const { judged, primary } = judgedParts(claims);
  const primaryParts = PRIMARY_PARTS.map((p) => {
    const [id, part] = p.split('.');
    return `${lang === 'ja' ? '主張' : 'claim'} ${claimNumber(id)}${part ? ` ${part}` : ''}`;
  }).join(', ');
  return [
    words.primary((100 * CONFIDENCE).toFixed(0)),
    words.rule,
    words.margins(stated, ARTICLE_ACCURACY.testImages),
    words.multiplicity(judged, primary, primaryParts),
  ];
}

/** shapeSensitivity's rows as a table: per (flatness floor, inside margin), per activation the curves of each kind. */
export function landscapeRulesTable(rows: readonly LandscapeSensitivityRow[]): TextTable {
  const activations = [...new Set(rows.map((r) => r.activation))];
  const settings = [...new Map(rows.map((r) => [`${r.flatnessFloor}:${r.insideMargin}`, r])).values()];
  return {
    headers: ['flatness floor', 'inside margin', ...activations.map((a) => `${a}: fit the article / flat / interior / edge / plateau`)],
    rows: settings.map((st) => {
      const frozen = st.flatnessFloor === FLATNESS_FLOOR && st.insideMargin === INSIDE_MARGIN ? ' (frozen)' : '';
      return [
        `${st.flatnessFloor.toExponential(0)}${frozen}`,
        `${(100 * st.insideMargin).toFixed(1)} %${frozen}`,
        ...activations.map((a) => {
          const r = rows.find((x) => x.activation === a && x.flatnessFloor === st.flatnessFloor && x.insideMargin === st.insideMargin)!;
          const c = r.counts;
          const fits = Number.isNaN(r.matchingArticle) ? '-' : `${r.matchingArticle}/${r.curves}`;
          return `${fits} / ${c.flat} / ${c['interior minimum']} / ${c['levels off at an edge'] + c['still falling at the edge']} / ${c['plateau, unit off']}`;
        }),
      ];
    }),
  };
}

/** The overall verdicts at each margin value: how the answers move when the rule moves. */
export function sensitivityTable(rows: readonly SensitivityRow[], claims: readonly ClaimResult[], lang: Lang = 'en'): TextTable {
  // English keeps the bare verdict words here (the table is narrow); other languages use their verdict words.
  const word = (v: ClaimResult['verdict']): string => (lang === 'en' ? v : verdictLabel(v, lang));
  return {
    headers: ['margin', 'value', ...claims.map((c) => `claim ${c.number}`)],
    rows: rows.map((r) => [
      r.margin,
      `${marginText(r.margin, r.value)}${r.declared ? ' (declared)' : ''}`,
      ...r.verdicts.map((v, i) => (v === claims[i].verdict || r.declared ? word(v) : `**${word(v)}**`)),
    ]),
  };
}
