/**
 * Streaming an HTTP(S) download to a file while hashing it, with timeouts that make an
 * unreachable host fail in seconds rather than hang (these machines cannot reach every host),
 * and a cli-progress bar when stderr is a terminal.
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import cliProgress from 'cli-progress';
import { messageOf } from '../../util/errors.js';
import { SourceError } from './source.js';

export interface DownloadOptions {
  /** Give up when no response headers arrived within this time. */
  connectTimeoutMs?: number;
  /** Give up when the body stalls for this long. */
  idleTimeoutMs?: number;
  /** Digests to compute while streaming, e.g. ['md5'] or ['sha512']. */
  hashes?: readonly string[];
  progress?: boolean;
  progressLabel?: string;
}

export interface DownloadResult {
  bytes: number;
  /** Base64 digests keyed by algorithm. */
  digests: Record<string, Buffer>;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/** Downloads `url` to `dest`; any failure is a SourceError whose message starts with the URL. */
export async function downloadToFile(url: string, dest: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
  try {
    return await download(url, dest, opts);
  } catch (err) {
    throw new SourceError(`${url}: ${messageOf(err)}`);
  }
}

async function download(url: string, dest: string, opts: DownloadOptions): Promise<DownloadResult> {
  const connectMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const controller = new AbortController();
  let timedOut: string | null = null;
  let timer = setTimeout(() => {
    timedOut = `no response within ${connectMs / 1000} s`;
    controller.abort();
  }, connectMs);
  const resetIdle = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = `download stalled for ${idleMs / 1000} s`;
      controller.abort();
    }, idleMs);
  };

  let bar: cliProgress.SingleBar | null = null;
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    } catch (err) {
      throw new SourceError(timedOut ?? describeNetworkError(err));
    }
    if (!response.ok || !response.body) {
      throw new SourceError(`HTTP ${response.status} ${response.statusText}`.trim());
    }
    resetIdle();
    const total = Number(response.headers.get('content-length') ?? NaN);
    const hashers: [string, Hash][] = (opts.hashes ?? []).map((a) => [a, createHash(a)]);
    if (opts.progress && process.stderr.isTTY && Number.isFinite(total) && total > 0) {
      bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: `${opts.progressLabel ?? 'download'} [{bar}] {percentage}% | {value_mb}/{total_mb} MB | ETA {eta}s`,
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { value_mb: '0.0', total_mb: (total / 1e6).toFixed(1) });
    }
    const out = createWriteStream(dest);
    let bytes = 0;
    try {
      const reader = response.body.getReader();
      for (;;) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (err) {
          throw new SourceError(timedOut ?? `download interrupted: ${describeNetworkError(err)}`);
        }
        if (chunk.done) break;
        resetIdle();
        const data = chunk.value;
        bytes += data.length;
        for (const [, h] of hashers) h.update(data);
        if (!out.write(data)) await once(out, 'drain');
        bar?.update(bytes, { value_mb: (bytes / 1e6).toFixed(1) });
      }
    } finally {
      out.end();
      await once(out, 'close');
    }
    if (Number.isFinite(total) && bytes !== total) throw new SourceError(`download ended after ${bytes} of ${total} bytes`);
    const digests: Record<string, Buffer> = {};
    for (const [a, h] of hashers) digests[a] = h.digest();
    return { bytes, digests };
  } finally {
    clearTimeout(timer);
    bar?.stop();
  }
}

/** Turns undici's "fetch failed" into the reason underneath (DNS, refused, reset, TLS). */
function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: unknown })?.cause as { code?: string; message?: string; hostname?: string } | undefined;
  const code = cause?.code;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host ${cause?.hostname ?? ''} could not be resolved (${code}: no DNS for it from this machine)`.replace('host  ', 'host ');
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ECONNRESET':
      return 'connection reset (ECONNRESET)';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `connection timed out (${code})`;
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return `network unreachable (${code})`;
    default:
      if (cause?.message) return code ? `${cause.message} (${code})` : cause.message;
      return err instanceof Error ? err.message : String(err);
  }
}
