import { describe, expect, it } from 'vitest';
import { runTool, unzipTest } from './external.js';
import { craftZip } from './zip-crafter.js';

describe('external tools', () => {
  it('a missing tool is an error naming it and how to install it, not a refusal of the archive', () => {
    expect(() => runTool('appv-no-such-tool', ['-t', 'x.zip'])).toThrow(
      /appv-no-such-tool is not installed: .*scripts\/ensure-tools\.mjs/,
    );
  });

  it('a tool that runs reports its verdict: unzip -t accepts a sound archive and refuses a broken one', () => {
    const { bytes } = craftZip([{ name: 'a.txt', data: Buffer.from('alpha') }]);
    expect(unzipTest(bytes).ok).toBe(true);
    const broken = Buffer.from(bytes);
    broken.writeUInt32LE(0, 0); // the local header's signature
    expect(unzipTest(broken)).toMatchObject({ ok: false });
  });
});
