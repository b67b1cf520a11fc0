/**
 * A study axis added by a test, following docs/architecture.md's recipe "add a study axis": the
 * number of epochs, as one entry of the kind src/study/axes.ts lists (it sets a field the
 * training setting already has, so nothing else changes).
 */
import { z } from 'zod';
import type { StudyAxisOf } from '../../src/study/axes.js';

const Epochs = z.number().int().min(1).max(100000);

export const EPOCHS_AXIS: StudyAxisOf<number, number> = {
  list: 'epochCounts',
  ref: 'epochs',
  title: 'epochs',
  value: Epochs,
  refValue: Epochs,
  resolve: (ref, values) => (values.includes(ref) ? { value: ref } : { issue: `${ref} is not one of "epochCounts"` }),
  check: (values) => (new Set(values).size === values.length ? [] : [{ path: [], message: 'an epoch count is listed twice' }]),
  label: String,
  idPrefix: 'e',
  // After the batch size's axis, whose perBatch epochs this replaces.
  apply: (epochs) => ({ epochs }),
};
