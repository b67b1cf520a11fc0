/** `data` command: not implemented yet (see the open issue). */
import type { CommandModule } from 'yargs';
import { UserError } from '../util/errors.js';

export const dataCommand: CommandModule = {
  command: 'data',
  describe: '(not implemented yet)',
  handler: () => {
    throw new UserError('data: not implemented yet');
  },
};
