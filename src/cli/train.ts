/** `train` (the default command): not implemented yet (see the open issue). */
import type { CommandModule } from 'yargs';
import { UserError } from '../util/errors.js';

export const trainCommand: CommandModule = {
  command: ['train', '$0'],
  describe: 'train one configuration (default command)',
  builder: (y) => y.option('config', { type: 'string', describe: 'JSON config file' }),
  handler: () => {
    throw new UserError('train: not implemented yet');
  },
};
