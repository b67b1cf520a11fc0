/**
 * The landscape probe's settings, validated in one place: the `landscape` command's flags and
 * the sweep's "landscape" section of configs/reproduce.json both go through this schema, and
 * both hand the result to runLandscapeProbe (src/probes/landscape-run.ts).
 *
 * Every size is bounded: the probe holds points x examples losses per batch, so a million
 * points would exhaust the heap instead of failing with a message.
 */
import { z } from 'zod';
import { DEFAULT_POINTS, DEFAULT_SPAN, DEFAULT_TOLERANCE, DEFAULT_WEIGHT_COUNT } from './landscape-defaults.js';

/** Most values along one weight: 1,000 already resolves the curve to 1/1000 of its range. */
const MAX_POINTS = 10_001;
/** Most weights per network: there are 1024 x 150 first-layer weights, but each sweep costs a pass over the data. */
const MAX_WEIGHT_COUNT = 1000;
/** Largest |from|, |to| or span: the weights are of order 0.05; far beyond this every unit saturates. */
const MAX_RANGE = 1e6;

export const LandscapeProbeSettingsSchema = z.strictObject({
  /** Weights picked with the seed when none are named (default DEFAULT_WEIGHT_COUNT). */
  count: z.number().int().min(1).max(MAX_WEIGHT_COUNT).optional(),
  /** Sweep original value +- span (default DEFAULT_SPAN)... */
  span: z.number().positive().max(MAX_RANGE).optional(),
  /** ...or every weight over the absolute range from..to. */
  from: z.number().min(-MAX_RANGE).max(MAX_RANGE).optional(),
  to: z.number().min(-MAX_RANGE).max(MAX_RANGE).optional(),
  points: z.number().int().min(3).max(MAX_POINTS).optional(),
  /** Largest accepted derivative-vs-slope disagreement (default DEFAULT_TOLERANCE). */
  tolerance: z.number().positive().max(1).optional(),
});

/** The range and count rules between fields, shared by every schema built on the one above. */
export function checkLandscapeRange(s: z.output<typeof LandscapeProbeSettingsSchema>, ctx: z.RefinementCtx): void {
  if ((s.from === undefined) !== (s.to === undefined))
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'give both from and to, or neither' });
  else if (s.from !== undefined && s.to !== undefined && !(s.from < s.to))
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be above from' });
  if (s.span !== undefined && s.from !== undefined)
    ctx.addIssue({ code: 'custom', path: ['span'], message: 'give either span or from/to, not both' });
}

export type LandscapeProbeSettings = z.output<typeof LandscapeProbeSettingsSchema>;

/** What the probe's range is, for records and landscape.json. */
export function describeRange(s: LandscapeProbeSettings): { from: number; to: number } | { span: number } {
  return s.from !== undefined && s.to !== undefined ? { from: s.from, to: s.to } : { span: s.span ?? DEFAULT_SPAN };
}

/** The defaults, for --help. */
export const LANDSCAPE_DEFAULTS = { count: DEFAULT_WEIGHT_COUNT, span: DEFAULT_SPAN, points: DEFAULT_POINTS, tolerance: DEFAULT_TOLERANCE };
