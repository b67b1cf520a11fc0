/**
 * What a data source is: something that can write the six official .bin files into a
 * temporary directory. ensureData tries the sources in order, verifies what each produced
 * against the official table, and only then renames the files into the cache.
 */
export interface SourceContext {
  /** Scratch space for downloads and unpacking; removed by ensureData afterwards. */
  readonly workDir: string;
  /** Where the source must leave data_batch_1..5.bin and test_batch.bin (inside workDir). */
  readonly outDir: string;
  readonly log: (line: string) => void;
  /** Draw a progress bar on stderr (only when stderr is a terminal). */
  readonly progress: boolean;
}

export interface DataSource {
  /** Short name shown to the user, e.g. "official tarball". */
  readonly name: string;
  produce(ctx: SourceContext): Promise<void>;
}

/** A source failed for a reason the user should read (no stack trace needed); the message names the URL or file. */
export class SourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceError';
  }
}
