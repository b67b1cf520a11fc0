/**
 * Every word of the report that is the program's own, once per language. `ReportStrings` is
 * the contract: a language that misses a string does not compile. What stays the same in every
 * language: numbers, file names, config names, the CSV files (claims.csv, summary.csv) and their
 * headers, and the statistic and evidence lines the claims compute (English, the claims'
 * modules write them with their numbers). The Japanese uses the article's own terms
 * (正解率, 二乗誤差, 中間層, 勾配消失問題, 活性化関数, 学習率, エポック) and the verdict words of README.ja.md.
 */
import type { Verdict } from './claims/claim.js';

export const LANGS = ['en', 'ja'] as const;
export type Lang = (typeof LANGS)[number];

export interface ReportStrings {
  /** The html element's lang attribute. */
  htmlLang: string;
  /** The verdict as the report prints it (claims.csv keeps the English word). */
  verdict: Record<Verdict, string>;
  titleReproduction: string;
  titleRunsFile: (file: string) => string;
  notesRunsFile: (file: string, runs: number) => string;
  /** Said once in a language whose statistic and evidence lines are the claims' English. */
  untranslatedNote: string | null;
  /** `source` and `command` arrive formatted as code by the renderer. */
  generated: (at: string, source: string, command: string) => string;
  headings: {
    claims: string;
    explanation: string;
    sensitivity: string;
    landscapeRules: string;
    summary: string;
    charts: string;
    settings: string;
    notes: string;
  };
  verdictLine: string;
  /** The article's words beside the claim: a quote, or a paraphrase marked as one. */
  articleQuote: (text: string) => string;
  articleParaphrase: (text: string) => string;
  sensitivityIntroMd: string;
  sensitivityIntroHtml: string;
  primaryFigure: string;
  disagreement: { contradicts: string; partly: string; inconclusive: string; withSettings: (what: string, settings: string) => string };
  claimsHeaders: (confidencePct: string) => string[];
  summaryHeaders: string[];
  environment: { backend: string; engine: string; versions: string; data: string; machine: string; wallTime: string; computeTime: string };
  charts: {
    depthAxis: string;
    accuracyTitle: string;
    accuracySubtitle: (seeds: number) => string;
    accuracyAxis: string;
    accuracyCaption: (confidencePct: string) => string;
    differenceSeries: string;
    differenceTitle: string;
    differenceChartTitle: string;
    differenceSubtitle: string;
    differenceAxis: string;
    differenceCaption: (confidencePct: string, n: number) => string;
    landscapeTitle: string;
    deltasTitle: string;
    gradientsByLayerTitle: string;
    gradientsByEpochTitle: string;
  };
}

const EN: ReportStrings = {
  htmlLang: 'en',
  verdict: {
    agrees: 'agrees',
    'partly agrees': 'partly agrees',
    inconclusive: 'inconclusive',
    contradicts: 'CONTRADICTS the article',
    'not measured': 'not measured',
  },
  titleReproduction: 'Reproduction report: CIFAR-10 airplane vs ship, Sigmoid vs ReLU, and the vanishing gradient',
  titleRunsFile: (file) => `Report on ${file}: CIFAR-10 airplane vs ship, Sigmoid vs ReLU, and the vanishing gradient`,
  notesRunsFile: (file, runs) =>
    `Built from ${file} alone (${runs} runs); the machine and versions that produced the runs are not known here.`,
  untranslatedNote: null,
  generated: (at, source, command) => `Generated ${at} from ${source}; reproduce with ${command}.`,
  headings: {
    claims: "The article's claims against this run",
    explanation: "The author's explanation",
    sensitivity: 'How the verdicts move with the margins',
    landscapeRules: 'How the landscape verdict moves with its rules',
    summary: 'Summary (summary.csv)',
    charts: 'Charts',
    settings: 'Settings and environment',
    notes: 'Notes',
  },
  verdictLine: 'Verdict',
  articleQuote: (text) => `In the article's words: "${text}"`,
  articleParaphrase: (text) => `The article, paraphrased: ${text}`,
  sensitivityIntroMd:
    "Each row changes one margin and keeps the others as declared; a verdict that differs from the declared margins' is in bold.",
  sensitivityIntroHtml: 'Each row changes one margin and keeps the others as declared.',
  primaryFigure:
    "The primary figure is each run's test accuracy at the epoch of lowest validation loss; final-epoch and last-five-epoch means are beside it. SD is over seeds, in points.",
  disagreement: {
    contradicts: 'This run contradicts the article on this claim',
    partly: 'This run confirms only part of this claim',
    inconclusive: 'This run cannot confirm this claim: the intervals are too wide to decide',
    withSettings: (what, settings) => `${what}, with these settings: ${settings}.`,
  },
  claimsHeaders: (ci) => ['#', 'claim', 'verdict', 'part', 'statistic', `estimate [${ci} % CI], n`, 'region for "agrees"', 'part verdict'],
  summaryHeaders: [
    'config',
    'activation',
    'layers',
    'seeds',
    'test acc. (primary) mean [95 % CI]',
    'SD (points)',
    'final-epoch test acc.',
    'last-5 test acc.',
    'train acc.',
    'chosen epoch (mean)',
    'time per run',
  ],
  environment: {
    backend: 'backend',
    engine: 'engine',
    versions: 'versions',
    data: 'data',
    machine: 'machine',
    wallTime: 'wall time',
    computeTime: 'compute time',
  },
  charts: {
    depthAxis: 'layers (input + hidden + output)',
    accuracyTitle: 'Test accuracy against depth',
    accuracySubtitle: (seeds) => `mean over seeds with its 95 % interval (${seeds} seed${seeds === 1 ? '' : 's'})`,
    accuracyAxis: 'test accuracy (%)',
    accuracyCaption: (ci) =>
      `Each run's primary figure (test accuracy at the epoch of lowest validation loss); the line joins the means over seeds, the bars are t-based ${ci} % intervals.`,
    differenceSeries: 'sigmoid - relu',
    differenceTitle: 'Sigmoid minus ReLU per depth',
    differenceChartTitle: 'Sigmoid minus ReLU, paired by seed',
    differenceSubtitle: 'mean paired difference with its 95 % interval; above 0: Sigmoid ahead',
    differenceAxis: 'test accuracy difference (points)',
    differenceCaption: (ci, n) =>
      `Per depth, the mean over seeds of (Sigmoid - ReLU) test accuracy of the same seed, with its t-based ${ci} % interval (n = ${n} seeds).`,
    landscapeTitle: 'Loss along one first-layer weight',
    deltasTitle: 'Back-propagated error per hidden layer',
    gradientsByLayerTitle: 'Gradient norm against layer',
    gradientsByEpochTitle: 'Gradient norm during training',
  },
};

const JA: ReportStrings = {
  htmlLang: 'ja',
  // As README.ja.md words them.
  verdict: {
    agrees: '一致',
    'partly agrees': '一部一致',
    inconclusive: '判定不能',
    contradicts: '矛盾',
    'not measured': '未測定',
  },
  titleReproduction: '再現レポート：CIFAR-10 の飛行機と船、Sigmoid と ReLU、勾配消失問題',
  titleRunsFile: (file) => `${file} のレポート：CIFAR-10 の飛行機と船、Sigmoid と ReLU、勾配消失問題`,
  notesRunsFile: (file, runs) => `${file} だけから作りました（${runs} 回の学習）。学習したマシンとバージョンはここではわかりません。`,
  untranslatedNote:
    '統計量の説明と根拠の行は、各主張のモジュール（src/reports/claims/）が数値とともに書く英語のままです。数値、ファイル名、claims.csv と summary.csv は英語版と同じです。',
  generated: (at, source, command) => `${at} に ${source} から作成。再現するには ${command}。`,
  headings: {
    claims: '記事の主張とこの実行の判定',
    explanation: '著者の説明',
    sensitivity: '判定の幅を変えると判定はどう動くか',
    landscapeRules: '損失の地形の判定は規則でどう動くか',
    summary: '集計（summary.csv）',
    charts: 'グラフ',
    settings: '設定と環境',
    notes: '注記',
  },
  verdictLine: '判定',
  articleQuote: (text) => `記事の原文：「${text}」`,
  articleParaphrase: (text) => `記事の要旨（原文ではなく要約）：${text}`,
  sensitivityIntroMd: '各行は判定の幅を 1 つだけ変え、ほかは宣言した値のままです。宣言した幅での判定と違う判定は太字です。',
  sensitivityIntroHtml: '各行は判定の幅を 1 つだけ変え、ほかは宣言した値のままです。',
  primaryFigure:
    '主な数値は、各実行で検証データの二乗誤差が最小のエポックでのテストデータの正解率です。最終エポックの値と最後の 5 エポックの平均を並べています。SD はシード間の標準偏差（ポイント）です。',
  disagreement: {
    contradicts: 'この実行は、この主張について記事と矛盾します',
    partly: 'この実行が確かめたのは、この主張の一部だけです',
    inconclusive: 'この実行ではこの主張を確かめられません：信頼区間が広すぎて判定できません',
    withSettings: (what, settings) => `${what}（設定：${settings}）。`,
  },
  claimsHeaders: (ci) => ['#', '記事の主張', '判定', '部分', '統計量', `推定値 [${ci} % 信頼区間]、n`, '「一致」の範囲', '部分の判定'],
  summaryHeaders: [
    '構成',
    '活性化関数',
    '層の数',
    'シード数',
    'テストの正解率（主な数値）平均 [95 % 信頼区間]',
    'SD（ポイント）',
    '最終エポックのテストの正解率',
    '最後の 5 エポックのテストの正解率',
    '学習データの正解率',
    '選ばれたエポック（平均）',
    '1 回の学習時間',
  ],
  environment: {
    backend: 'バックエンド',
    engine: 'エンジン',
    versions: 'バージョン',
    data: 'データ',
    machine: 'マシン',
    wallTime: '経過時間',
    computeTime: '計算時間',
  },
  charts: {
    depthAxis: '層の数（入力 + 中間層 + 出力）',
    accuracyTitle: '層の数とテストの正解率',
    accuracySubtitle: (seeds) => `シード ${seeds} 個の平均と 95 % 信頼区間`,
    accuracyAxis: 'テストの正解率（%）',
    accuracyCaption: (ci) =>
      `各実行の主な数値（検証データの二乗誤差が最小のエポックでのテストの正解率）。線はシードの平均を結び、縦棒は t 分布による ${ci} % 信頼区間です。`,
    differenceSeries: 'sigmoid - relu',
    differenceTitle: '層の数ごとの Sigmoid − ReLU',
    differenceChartTitle: 'Sigmoid − ReLU（シードで対にした差）',
    differenceSubtitle: '対にした差の平均と 95 % 信頼区間。0 より上なら Sigmoid が上',
    differenceAxis: 'テストの正解率の差（ポイント）',
    differenceCaption: (ci, n) =>
      `層の数ごとに、同じシードの (Sigmoid − ReLU) のテストの正解率の差をシードで平均し、t 分布による ${ci} % 信頼区間を付けました（n = ${n} シード）。`,
    landscapeTitle: '第 1 層の重み 1 本に沿った損失',
    deltasTitle: '中間層ごとの逆伝播誤差',
    gradientsByLayerTitle: '層ごとの勾配のノルム',
    gradientsByEpochTitle: '学習中の勾配のノルム',
  },
};

const STRINGS: Readonly<Record<Lang, ReportStrings>> = { en: EN, ja: JA };

export function reportStrings(lang: Lang): ReportStrings {
  return STRINGS[lang];
}
