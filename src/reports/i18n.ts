/**
 * Every word of the report that is the program's own, once per language. `ReportStrings` is
 * the contract: a language that misses a string does not compile. What stays the same in every
 * language: numbers, file names, config names, the CSV files (claims.csv, summary.csv) and their
 * headers, and the statistic, region, evidence and margin lines the claims compute (English,
 * the claims' modules write them with their numbers). The Japanese uses the article's own terms
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
  notesTestImages: (file: string, images: number) => string;
  notesNoTestImages: (file: string) => string;
  notesTrajectories: (file: string, runs: number) => string;
  /** Said once in a language whose statistic and evidence lines are the claims' English. */
  untranslatedNote: string | null;
  /** `source` and `command` arrive formatted as code by the renderer. */
  generated: (at: string, source: string, command: string) => string;
  headings: {
    claims: string;
    explanation: string;
    protocol: string;
    trajectories: string;
    answer: string;
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
  method: {
    primary: (confidencePct: string) => string;
    /** How a part's verdict and a claim's verdict are reached. */
    rule: string;
    /** `margins` are the claims' own statements of their margins (English). */
    margins: (margins: string, testImages: number) => string;
    /** How many parts were judged, which are primary, and what that means for chance alone. */
    multiplicity: (judged: number, primary: number, primaryParts: string) => string;
    /** Beside a primary part's name in the claims table. */
    primaryMark: string;
  };
  /** The opening of the section on the author's explanation, for claims `first` to `last`. */
  explanationIntro: (first: number, last: number) => [string, string];
  landscapeRulesIntro: (claim: number) => string;
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
    unitsByEpochTitle: string;
    meanGradientByEpochTitle: string;
  };
}

const EN: ReportStrings = {
  htmlLang: 'en',
  verdict: {
    agrees: 'agrees',
    mixed: 'mixed (parts differ: see each part)',
    inconclusive: 'inconclusive',
    contradicts: 'CONTRADICTS the article',
    'not measured': 'not measured',
    'still learning': 'not judged: still learning',
  },
  titleReproduction: 'Reproduction report: CIFAR-10 airplane vs ship, Sigmoid vs ReLU, and the vanishing gradient',
  titleRunsFile: (file) => `Report on ${file}: CIFAR-10 airplane vs ship, Sigmoid vs ReLU, and the vanishing gradient`,
  notesRunsFile: (file, runs) =>
    `Built from ${file} alone (${runs} runs); the machine and versions that produced the runs are not known here.`,
  notesTestImages: (file, images) =>
    `${file} beside it gave each run's correctness on ${images} test images, checked against the table's accuracies: the accuracy claims' intervals come from the bootstrap over seeds x test images.`,
  notesNoTestImages: (file) =>
    `No ${file} beside it: the accuracy claims' intervals cover the seeds only (t over seeds), not the test set's own noise.`,
  notesTrajectories: (file, runs) =>
    `${file} beside it gave ${runs} probed runs' units and gradients by epoch, checked against the table (last epoch, chosen epoch, shares at initialisation and at the chosen epoch).`,
  untranslatedNote: null,
  generated: (at, source, command) => `Generated ${at} from ${source}; reproduce with ${command}.`,
  headings: {
    claims: "The article's claims against this run",
    explanation: "The author's explanation",
    protocol: 'How the networks were trained: rules, learning rates, stopping, budget',
    trajectories: 'The 7-layer networks epoch by epoch: units at their bounds and gradients (trajectories.csv)',
    answer: 'The answer in five sentences',
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
  method: {
    primary: (ci) =>
      `Every run contributes its primary figure: the test accuracy at the epoch of lowest validation loss (on the full test split when the runs have it). The seed is the unit and configurations are compared paired by seed; the accuracy claims' ${ci} % intervals come from a bootstrap over seeds x test images when the per-image data exists (test-images.csv: the test set's own noise is then inside them), otherwise from t over seeds, as every other interval (the landscape's shares per network too: the curves of one network are not independent). Each part says which.`,
    rule:
      "Each part: agrees when its 95 % interval lies inside the claim's region, contradicts when it lies outside, inconclusive when it straddles a boundary. " +
      "A claim from its parts: every part agrees -> agrees; some agree and some contradict -> mixed (each part's verdict is named); no part judged because a compared network was still learning -> not judged: still learning; some contradict and none agrees -> contradicts; " +
      'otherwise (inconclusive parts, or parts not measured beside measured ones) -> inconclusive; nothing measured -> not measured.',
    margins: (margins, testImages) =>
      `Margins, fixed before the runs were judged (each in its claim, src/reports/claims/): ${margins}. The article's own ${testImages}-image test set puts a 95 % half-width of about 4.5 points on its accuracies.`,
    multiplicity: (judged, primary, primaryParts) =>
      `This report judged ${judged} parts, ${primary} of them primary (${primaryParts}, as the pre-registered rules name them; every other part is secondary), each at 95 % with no correction across parts: even if every claim were exactly true, about 1 in 20 judged parts may land outside the truth's region by chance.`,
    primaryMark: ' (primary)',
  },
  explanationIntro: (first, last) => [
    `The article explains the deep Sigmoid networks' trouble by a chain: a Sigmoid unit cannot output more than 1; when the next neuron "would need 2", the weights chase an asymptote where the gradient fades; hence the vanishing gradient is more than gradients shrinking layer by layer. Claims ${first} to ${last} test the links that the probed networks can show, each with its own measurement (docs/probes.md): how the back-propagated error shrinks towards the input, whether units would need outputs beyond their range, and whether trained units sit at their bounds. Rules and margins were frozen before the runs (docs/probes.md).`,
    'The last link, "more than shrinking", cannot be judged here: Sigmoid changes a bounded output and a shrinking derivative at once. `node dist/run.js explain` trains hidden activations that separate the two and says which one the data blames.',
  ],
  landscapeRulesIntro: (claim) =>
    `Claim ${claim}'s curves, recounted for other flatness floors and inside margins (src/probes/landscape-rules.ts); each cell: curves that fit the article's words / flat / interior minimum / falling to an edge / plateau made by the sweep.`,
  sensitivityIntroMd:
    "Each row changes one margin and keeps the others as declared; a verdict that differs from the declared margins' is in bold.",
  sensitivityIntroHtml: 'Each row changes one margin and keeps the others as declared.',
  primaryFigure:
    "Each run's figure here is its test accuracy on its config's own test set (the article-sized 200 + 200 images in the shipped configs) at the epoch of lowest validation loss, with t intervals over seeds; the claims above use the whole test split where the runs scored it. Final-epoch and last-five-epoch means are beside it. SD is over seeds, in points.",
  disagreement: {
    contradicts: 'This run contradicts the article on this claim',
    partly: 'Parts of this claim agree with this run and others are contradicted (each part is named below)',
    inconclusive: 'This run cannot confirm this claim: the intervals are too wide to decide',
    withSettings: (what, settings) => `${what}, with these settings: ${settings}.`,
  },
  claimsHeaders: (ci) => ['#', 'claim', 'verdict', 'part', 'statistic', `estimate [${ci} % CI], n`, 'region for "agrees"', 'part verdict'],
  summaryHeaders: [
    'config',
    'activation',
    'layers',
    'seeds',
    "test acc. (config's test set, chosen epoch) mean [95 % CI]",
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
      `Each run's test accuracy on its config's own test set (the article-sized 200 + 200 images in the shipped configs; the claims use the whole test split where it was scored) at the epoch of lowest validation loss; the line joins the means over seeds, the bars are t-based ${ci} % intervals.`,
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
    unitsByEpochTitle: 'Units at a bound or off during training',
    meanGradientByEpochTitle: 'Mean gradient per layer during training',
  },
};

const JA: ReportStrings = {
  htmlLang: 'ja',
  // As README.ja.md words them.
  verdict: {
    agrees: '一致',
    mixed: '部分ごとに異なる（各部分を参照）',
    inconclusive: '判定不能',
    contradicts: '矛盾',
    'not measured': '未測定',
    'still learning': '判定せず：学習途中',
  },
  titleReproduction: '再現レポート：CIFAR-10 の飛行機と船、Sigmoid と ReLU、勾配消失問題',
  titleRunsFile: (file) => `${file} のレポート：CIFAR-10 の飛行機と船、Sigmoid と ReLU、勾配消失問題`,
  notesRunsFile: (file, runs) => `${file} だけから作りました（${runs} 回の学習）。学習したマシンとバージョンはここではわかりません。`,
  notesTestImages: (file, images) =>
    `同じフォルダの ${file} から、各学習のテスト画像 ${images} 枚ごとの正誤を読み（表の正解率と一致することを確認済み）、正解率の主張の区間はシード × テスト画像のブートストラップで求めました。`,
  notesNoTestImages: (file) =>
    `同じフォルダに ${file} がないため、正解率の主張の区間はシードのばらつきだけを含みます（シード間の t 区間）。`,
  notesTrajectories: (file, runs) =>
    `同じフォルダの ${file} から、調べた ${runs} 回の学習のユニットと勾配をエポックごとに読みました（最後のエポック、選ばれたエポック、初期と選ばれたエポックでの割合が表と一致することを確認済み）。`,
  untranslatedNote:
    '統計量・範囲・根拠の行と判定の幅の説明は、各主張のモジュール（src/reports/claims/）が数値とともに書く英語のままです。数値、ファイル名、claims.csv と summary.csv は英語版と同じです。',
  generated: (at, source, command) => `${at} に ${source} から作成。再現するには ${command}。`,
  headings: {
    claims: '記事の主張とこの実行の判定',
    explanation: '著者の説明',
    protocol: 'ネットワークの学習方法：ルール、学習率、停止、エポック数',
    trajectories: '7 層のネットワークのエポックごとの変化：上限・下限に張り付くユニットと勾配（trajectories.csv）',
    answer: '5 つの文で答えると',
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
  method: {
    primary: (ci) =>
      `各実行の主な数値は、検証データの二乗誤差が最小のエポックでのテストデータの正解率です（全テストデータがあればそれで測ります）。単位はシードで、構成どうしはシードで対にして比べます。正解率の主張の ${ci} % 信頼区間は、画像ごとの正誤（test-images.csv）があればシード × テスト画像のブートストラップで求め（テストデータ自体のばらつきを含みます）、なければシード間の t 区間です。ほかの区間もシード間の t 区間です（損失の地形の割合も、1 つのネットワークの曲線どうしは独立でないので、ネットワークごとの割合から求めます）。各部分にどちらかを記します。`,
    rule:
      '各部分：95 % 信頼区間が主張の範囲の内側なら一致、外側なら矛盾、境界をまたげば判定不能。' +
      '主張の判定は部分から：すべて一致なら一致、一致と矛盾があれば一部一致、矛盾があり一致がなければ矛盾、' +
      'それ以外（判定不能の部分、または測った部分の横に未測定の部分）は判定不能、何も測っていなければ未測定。',
    margins: (margins, testImages) =>
      `判定の幅（実行の判定より前に、各主張のモジュール src/reports/claims/ で固定）：${margins}。記事自身のテストデータ ${testImages} 枚では、正解率の 95 % 信頼区間の半幅はおよそ 4.5 ポイントです。`,
    multiplicity: (judged, primary, primaryParts) =>
      `このレポートは ${judged} 個の部分を判定しました。そのうち主要な部分は ${primary} 個（${primaryParts}。事前登録したルールが主要と定めたもので、ほかはすべて副次的）です。どの部分も 95 % で判定し、部分どうしの多重性の補正はしていません。そのため、主張がすべて正しくても、判定した部分のおよそ 20 個に 1 個は偶然だけで真の値の範囲から外れることがあります。`,
    primaryMark: '（主要）',
  },
  explanationIntro: (first, last) => [
    `記事は、深い Sigmoid のネットワークがうまく学習できない理由を次のつながりで説明します：Sigmoid の出力は最大 1 なので、次のニューロンが「2 が必要」なとき、重みは勾配が消えていく漸近線を追いかける。だから勾配消失問題は、層ごとに勾配が縮むこと以上のものだ、と。主張 ${first} から ${last} は、調べたネットワークで確かめられるつながりを、それぞれ専用の測定で判定します（docs/probes.md）：逆伝播誤差が入力に向かってどれだけ縮むか、ユニットが範囲の外の出力を必要とするか、学習後のユニットが上限・下限に張り付いているか。規則と判定の幅は実行の前に固定しました（docs/probes.md）。`,
    '最後のつながり「縮むこと以上」はここでは判定できません：Sigmoid は出力の上限と縮む微分を同時に変えるからです。`node dist/run.js explain` が 2 つを切り分ける活性化関数を中間層で学習し、データがどちらを原因とするかを示します。',
  ],
  landscapeRulesIntro: (claim) =>
    `主張 ${claim} の曲線を、ほかの平坦さの下限と内側の幅で数え直したもの（src/probes/landscape-rules.ts）。各セル：記事の言葉に合う曲線 / 平坦 / 内側の極小 / 端へ下がる / 掃引が作った平坦部。`,
  sensitivityIntroMd: '各行は判定の幅を 1 つだけ変え、ほかは宣言した値のままです。宣言した幅での判定と違う判定は太字です。',
  sensitivityIntroHtml: '各行は判定の幅を 1 つだけ変え、ほかは宣言した値のままです。',
  primaryFigure:
    'ここでの数値は、各実行で検証データの二乗誤差が最小のエポックでの、構成ファイルのテストデータ（同梱の構成では記事と同じ大きさの 200 + 200 枚）の正解率で、区間はシードについての t 区間です。上の主張は、採点してあればテストデータ全体を使います。最終エポックの値と最後の 5 エポックの平均を並べています。SD はシード間の標準偏差（ポイント）です。',
  disagreement: {
    contradicts: 'この実行は、この主張について記事と矛盾します',
    partly: 'この主張は部分によって一致と矛盾に分かれました（各部分を下に示します）',
    inconclusive: 'この実行ではこの主張を確かめられません：信頼区間が広すぎて判定できません',
    withSettings: (what, settings) => `${what}（設定：${settings}）。`,
  },
  claimsHeaders: (ci) => ['#', '記事の主張', '判定', '部分', '統計量', `推定値 [${ci} % 信頼区間]、n`, '「一致」の範囲', '部分の判定'],
  summaryHeaders: [
    '構成',
    '活性化関数',
    '層の数',
    'シード数',
    'テストの正解率（構成のテストデータ、選ばれたエポック）平均 [95 % 信頼区間]',
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
      `各実行の、検証データの二乗誤差が最小のエポックでの構成ファイルのテストデータ（同梱の構成では記事と同じ大きさの 200 + 200 枚。主張は採点してあればテストデータ全体を使います）の正解率。線はシードの平均を結び、縦棒は t 分布による ${ci} % 信頼区間です。`,
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
    unitsByEpochTitle: '学習中に上限・下限に張り付く（ReLU は 0 になる）ユニットの割合',
    meanGradientByEpochTitle: '学習中の層ごとの勾配の平均',
  },
};

const STRINGS: Readonly<Record<Lang, ReportStrings>> = { en: EN, ja: JA };

export function reportStrings(lang: Lang): ReportStrings {
  return STRINGS[lang];
}
