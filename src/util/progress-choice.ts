/**
 * How a long command shows its progress. One list for every command's --progress flag:
 * what the user chooses (ProgressChoice, with "auto") and what is then drawn (ProgressStyle).
 */
export const PROGRESS_CHOICES = ['auto', 'bar', 'lines', 'none'] as const;
/** What --progress may say: auto = a bar on a terminal, else one line per step. */
export type ProgressChoice = (typeof PROGRESS_CHOICES)[number];
/** What is drawn once "auto" is resolved. */
export type ProgressStyle = Exclude<ProgressChoice, 'auto'>;
