/**
 * The message of the UsageError `f` throws, checked to be one line (the project's rule for every
 * user error); fails the test when `f` throws anything else or nothing.
 */
import { expect } from 'chai';
import { UsageError } from '../../src/util/errors.js';

export function usageMessage(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(UsageError);
    const message = (err as Error).message;
    expect(message.split('\n'), message).to.have.length(1);
    return message;
  }
  throw new Error('expected a UsageError, but nothing was thrown');
}
