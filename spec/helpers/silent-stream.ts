/** A stream that swallows what is written: the progress stream of a command run inside a test. */
import { Writable } from 'node:stream';

export function silentStream(): NodeJS.WriteStream {
  return new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream;
}
