/** `landscape` command: not implemented yet (see the open issue). */
import type { CommandModule } from 'yargs';
import { UserError } from '../util/errors.js';

export const landscapeCommand: CommandModule = {
  command: 'landscape',
  describe: '(not implemented yet)',
  handler: () => {
    throw new UserError('landscape: not implemented yet');
  },
};
