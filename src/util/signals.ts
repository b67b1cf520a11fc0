/**
 * The signals that ask a long command to stop: Ctrl-C (SIGINT), a `kill` or a scheduler's
 * time limit (SIGTERM), a closed terminal or ssh session (SIGHUP). Every long command treats
 * them alike: stop after the current step, keep what is finished, exit 128 + the signal.
 */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

const SIGNAL_NUMBER: Readonly<Record<StopSignal, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** The exit code shells report for a process stopped by `signal` (130 for Ctrl-C). */
export function exitCodeFor(signal: StopSignal): number {
  return 128 + SIGNAL_NUMBER[signal];
}

/** Calls `handler` on each stop signal until the returned function is called. */
export function onStopSignal(handler: (signal: StopSignal) => void): () => void {
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = (): void => handler(signal);
    process.on(signal, listener);
    return [signal, listener] as const;
  });
  return () => {
    for (const [signal, listener] of listeners) process.off(signal, listener);
  };
}
