/** `reproduce` command: not implemented yet (see the open issue). */
import type { CommandModule } from 'yargs';
import { UserError } from '../util/errors.js';

export const reproduceCommand: CommandModule = {
  command: 'reproduce',
  describe: '(not implemented yet)',
  handler: () => {
    throw new UserError('reproduce: not implemented yet');
  },
};
