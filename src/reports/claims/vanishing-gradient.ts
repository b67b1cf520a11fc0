/** The first layers of a deep Sigmoid network receive much smaller gradients than its last layers (the vanishing gradient). */
import { mean } from '../../stats/stats.js';
import type { RunRow } from '../runs-table.js';
import { bySeed, configsOf, deepestWith, factor, pairedPart, seedPart, type ConfigRuns } from './by-seed.js';
import { defineClaim } from './claim.js';

export const vanishingGradient = defineClaim({
  id: 'vanishing-gradient',
  group: 'explanation',
  sentence: 'The first layers of a deep Sigmoid network receive much smaller gradients than its last layers (the vanishing gradient).',
  // A paraphrase: the article's sentence is not quoted here.
  articleJa: {
    text: '深い Sigmoid のネットワークでは、入力に近い層ほど勾配が出力に近い層よりずっと小さい（勾配消失問題）',
    verbatim: false,
  },
  columns: ['delta_log10_init'],
  margins: {
    /** "much smaller gradients": the top hidden layer's back-propagated error at least this many times the first hidden layer's. */
    muchSmaller: { value: 10, alternatives: [3, 30], text: (v) => `"much smaller": at least ${v}x` },
  },
  judge(runs, margins) {
    const configs = configsOf(runs);
    const init = (r: RunRow) => r.delta_log10_init;
    const trained = (r: RunRow) => r.delta_log10_trained;
    const sig = deepestWith(configs, 'sigmoid', init);
    const relu = sig
      ? (configs.find((c) => c.activation === 'relu' && c.layers === sig.layers && c.runs.some((r) => init(r) !== undefined)) ?? null)
      : null;
    const threshold = Math.log10(margins.muchSmaller);
    const region = `at least ${margins.muchSmaller}x (log10 >= ${threshold.toFixed(2)})`;
    const name = sig?.config ?? 'the deepest Sigmoid network';
    const statistic = (state: string) =>
      `log10(mean per-example ||δ|| of the top hidden layer / the first hidden layer) in ${name}, ${state}`;
    const parts = [
      seedPart(sig, init, {
        part: 'sigmoid-init',
        statistic: statistic('at initialisation'),
        region,
        unit: 'log10',
        bounds: { low: threshold, high: Infinity },
      }),
      seedPart(sig, trained, {
        part: 'sigmoid-trained',
        statistic: statistic('after training'),
        region,
        unit: 'log10',
        bounds: { low: threshold, high: Infinity },
      }),
      pairedPart(sig, relu, init, init, {
        part: 'sigmoid-relu-init',
        statistic: `that log10 ratio at initialisation, ${name} minus ${relu?.config ?? 'the ReLU network of the same depth'}, paired by seed`,
        region: 'larger for Sigmoid than for ReLU (> 0)',
        unit: 'log10',
      }),
    ];
    const evidence: string[] = [];
    if (sig) {
      const avg = (pick: (r: RunRow) => number | undefined, c: ConfigRuns = sig) => mean([...bySeed(c, pick).values()]);
      evidence.push(
        `${sig.config}: the back-propagated error is divided by ${avg((r) => r.delta_shrink_init).toPrecision(3)} per hidden layer towards the input at initialisation and by ${avg((r) => r.delta_shrink_trained).toPrecision(3)} after training (geometric fit, mean over seeds).`,
      );
      const asSig = [...bySeed(sig, (r) => r.delta_log10_init_as_sigmoid).values()];
      const asRelu = [...bySeed(sig, (r) => r.delta_log10_init_as_relu).values()];
      if (asSig.length > 0 && asRelu.length > 0) {
        evidence.push(
          `From identical weights (${sig.config}'s initial weights run through both activations): top over first hidden layer ${factor(mean(asSig))}x through Sigmoid, ${factor(mean(asRelu))}x through ReLU (mean of log10 over ${asSig.length} seeds).`,
        );
      }
      if (relu && sig.runs[0].init !== relu.runs[0].init)
        evidence.push(
          `The paired part compares each network from its own initialisation (${sig.config}: ${sig.runs[0].init ?? '?'}, ${relu.config}: ${relu.runs[0].init ?? '?'}), so it mixes the activation with the initialisation; the identical-weights line above separates them.`,
        );
      const old = [...bySeed(sig, (r) => r.grad_log10_last_over_first).values()];
      if (old.length > 0) {
        evidence.push(
          `The earlier statistic, the full-batch mean |gradient| of the last layer (the output) over the first, averaged over epochs: ${factor(mean(old))}x in ${sig.config}. It is not judged: the output layer has no chain of activation derivatives behind it, and after training a full-batch mean shrinks because a layer has converged, not only because the error vanished.`,
        );
      }
      const upd = [...bySeed(sig, (r) => r.update_log10_last_over_first).values()];
      const updRelu = relu ? [...bySeed(relu, (r) => r.update_log10_last_over_first).values()] : [];
      if (upd.length > 0) {
        evidence.push(
          `What training did to the layers: relative update ||ΔW||/||W|| of the last layer over the first, averaged over epochs: ${factor(mean(upd))}x in ${sig.config}` +
            (updRelu.length > 0 ? `, ${factor(mean(updRelu))}x in ${relu!.config}.` : '.'),
        );
      }
    }
    evidence.push(
      "δ is the error reaching each layer's pre-activations per example (src/probes/backprop-deltas.ts); its norm shrinks only when the error vanishes on its way down, not when the examples' contributions to a full-batch gradient cancel.",
    );
    return { parts, evidence };
  },
});
