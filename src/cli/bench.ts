/** `bench` command: not implemented yet (see the open issue). */
import type { CommandModule } from 'yargs';
import { UserError } from '../util/errors.js';

export const benchCommand: CommandModule = {
  command: 'bench',
  describe: '(not implemented yet)',
  handler: () => {
    throw new UserError('bench: not implemented yet');
  },
};
