// A module backend that makes the folder named by $CONVCHECK_TEST_MAKE_DIR on its first run: what a
// second report writing to the same --out does while this one runs.
import { mkdirSync } from 'node:fs';
export default {
  name: 'makes-folder',
  version: '0',
  precision: 'fp32',
  supports: () => ({ supported: false, reason: 'makes a folder, computes nothing' }),
  run: async () => { throw new Error('not called'); },
};
mkdirSync(process.env.CONVCHECK_TEST_MAKE_DIR ?? '/nonexistent/convcheck', { recursive: true });
