/**
 * The answer first: five plain sentences, built from the verdicts, that open the report before
 * any table, for a reader of the original article (what held, what did not, in which setting).
 * Each sentence names its numbers and its verdict in words; the claims below give the intervals
 * and the rules behind them.
 */
import type { ClaimPart, ClaimResult, Verdict } from './claims/claim.js';
import type { Lang } from './i18n.js';

const WORDS: Record<Lang, Record<Verdict, string>> = {
  en: {
    agrees: 'as the article says',
    contradicts: 'not as the article says',
    inconclusive: 'the data cannot decide',
    mixed: 'true in part only',
    'not measured': 'not measured',
    'still learning': 'not judged: the networks were still learning',
  },
  ja: {
    agrees: '記事のとおり',
    contradicts: '記事とは異なる',
    inconclusive: 'データからは決められない',
    mixed: '一部だけ記事のとおり',
    'not measured': '未測定',
    'still learning': '判定せず：学習途中',
  },
};

const pts = (x: number): string => (Number.isFinite(x) ? (100 * x).toFixed(1) : '?');
const signed = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}` : '?');
const range = (p: ClaimPart | undefined): string =>
  p && Number.isFinite(p.estimate.low) ? ` [${pts(p.estimate.low)}, ${pts(p.estimate.high)}]` : '';

function part(c: ClaimResult | undefined, name: string): ClaimPart | undefined {
  return c?.parts.find((p) => p.part === name);
}

/** Five sentences (fewer when claims are missing from the registry's output), in the report's language. */
export function answerFirst(claims: readonly ClaimResult[], lang: Lang = 'en'): string[] {
  const byId = (id: string) => claims.find((c) => c.id === id);
  const w = WORDS[lang];
  const v = (p: ClaimPart | ClaimResult | undefined): string => w[p?.verdict ?? 'not measured'];
  const level = byId('accuracy-level');
  const depth = byId('depth-effect');
  const best = byId('best-depth');
  const versus = byId('sigmoid-vs-relu');
  const explanation = claims.filter((c) => c.group === 'explanation');
  const typical = part(level, 'typical');
  const top = part(level, 'best');
  const sig = part(depth, 'sigmoid');
  const relu = part(depth, 'relu');
  const d = part(versus, 'sigmoid-relu');
  if (lang === 'ja')
    return [
      `正解率：学習できたネットワークの平均は ${pts(typical?.estimate.value ?? NaN)} %${range(typical)}、最も良いネットワークは ${pts(top?.estimate.value ?? NaN)} %${range(top)}（記事：約 70 %、最高約 72 %）。${v(typical)}／${v(top)}。`,
      `深さ：3 層から 7 層で正解率の変化は Sigmoid ${signed(sig?.estimate.value ?? NaN)} ポイント、ReLU ${signed(relu?.estimate.value ?? NaN)} ポイント（記事：あまり変わらない）。Sigmoid は${v(sig)}、ReLU は${v(relu)}。`,
      `最良の深さ（記事：Sigmoid 5 層、ReLU 6 層）：Sigmoid は${v(part(best, 'sigmoid'))}、ReLU は${v(part(best, 'relu'))}。`,
      `Sigmoid と ReLU の差は ${signed(d?.estimate.value ?? NaN)} ポイント${range(d)}（記事：Sigmoid がわずかに上）。${v(d)}。`,
      `著者の説明（勾配消失、「2 が必要」、漸近線）：${explanation.map((c) => `主張 ${c.number} は${v(c)}`).join('、')}。`,
    ];
  return [
    `Accuracy: the networks that learned reach ${pts(typical?.estimate.value ?? NaN)} %${range(typical)} on average and the best one ${pts(top?.estimate.value ?? NaN)} %${range(top)} (the article: about 70 %, best about 72 %): ${v(typical)} for the level, ${v(top)} for the best.`,
    `Depth: from 3 to 7 layers, accuracy changes by ${signed(sig?.estimate.value ?? NaN)} points for Sigmoid and ${signed(relu?.estimate.value ?? NaN)} for ReLU (the article: little): for Sigmoid ${v(sig)}, for ReLU ${v(relu)}.`,
    `Best depth (the article: Sigmoid at 5 layers, ReLU at 6): for Sigmoid ${v(part(best, 'sigmoid'))}, for ReLU ${v(part(best, 'relu'))}.`,
    `Sigmoid minus ReLU: ${signed(d?.estimate.value ?? NaN)} points${range(d)} (the article: Sigmoid slightly better): ${v(d)}.`,
    `The author's explanation (the vanishing gradient, units that "would need 2", weights chasing an asymptote): ${explanation.map((c) => `claim ${c.number} ${v(c)}`).join('; ')}.`,
  ];
}
