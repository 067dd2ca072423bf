// The yazl peer of `appv pack`: the same folder written as one plain ZIP by yazl at deflate level 6, with the
// code that writes the read bench's ZIP (dataset.mjs). Listing the folder is timed, as pack and zip -r do it.
import { rmSync, statSync } from 'node:fs';
import { writeZip } from './dataset.mjs';
import { listDir } from './set-dir.mjs';
import { makeUp } from './zip-make-up.mjs';

export const yazlPack = {
  async prepare(dir, output) {
    rmSync(output, { force: true });
    return {
      async run() {
        const files = listDir(dir);
        await writeZip(files, output);
        const bytes = files.reduce((sum, f) => sum + f.size, 0);
        return { bytes, detail: { size: statSync(output).size, files: files.length } };
      },
      verify: async () => ({ makeUp: await makeUp(output, () => true) }),
    };
  },
};
