/** `compare` command: not implemented yet (see the open issue). */
import type { CommandModule } from 'yargs';
import { UserError } from '../util/errors.js';

export const compareCommand: CommandModule = {
  command: 'compare',
  describe: '(not implemented yet)',
  handler: () => {
    throw new UserError('compare: not implemented yet');
  },
};
