import { extractPackage } from '../../extract/extract-package.js';
import { COMMON_OPTIONS, expectPositionals, parseVerbArgs, requireOutput } from '../arguments.js';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { findingJson, findingLine } from '../finding-output.js';
import { formatBytes, writeJson, writeLines } from '../output.js';
import { ProgressBar } from '../progress-bar.js';
import { withPackage } from '../with-package.js';

export const extractCommand: Command = {
  name: 'extract',
  summary: 'write every part (and the empty directories) into a directory',
  help: `Usage: appv extract <package> -o <dir> [--overwrite] [--part <name>]... [--json]

Writes every item of the package under <dir> at its decoded name ("\\" becomes a directory
separator; footprint XML and [Content_Types].xml included), then creates the empty directories
that FilesystemMetadata.xml lists. Each file is CRC-checked and appears under its final name only
when complete. Unsafe names (.., absolute paths, drive letters, control characters) are refused
before anything is written, and no symbolic link leading outside <dir> is followed.

Options:
  -o, --output <dir>  target directory (created if missing)
  --overwrite         replace files that already exist (default: refuse, writing nothing)
  --part <name>       extract only this part (repeatable; no empty directories then)
  --json              print {"files", "directories", "bytes", "problems"}
  -h, --help          show this help`,

  async run(args, { signal, stdout, stderr }) {
    const parsed = parseVerbArgs(
      'extract',
      args,
      {
        ...COMMON_OPTIONS,
        output: { type: 'string', short: 'o' },
        overwrite: { type: 'boolean', default: false },
        part: { type: 'string', multiple: true },
      },
      { out: '--output', dir: '--output' },
    );
    const { values, positionals } = parsed;
    if (values.help) {
      stdout.write(`${this.help}\n`);
      return ExitCode.ok;
    }
    expectPositionals('extract', parsed, ['package'], true);
    const output = requireOutput('extract', values.output, 'the target directory', '<dir>');
    const [file = ''] = positionals;
    const target = output;
    const result = await withPackage(file, signal, async (pkg) => {
      const bar = new ProgressBar(stderr, 'extracting', 0);
      try {
        return await extractPackage(pkg, target, {
          signal,
          overwrite: values.overwrite,
          ...(values.part ? { parts: values.part } : {}),
          onProgress: (progress) => bar.update(progress.bytes, progress.totalBytes),
        });
      } finally {
        bar.finish();
      }
    });
    if (values.json) {
      writeJson(stdout, { ...result, problems: result.problems.map(findingJson) });
    } else {
      const lines = result.problems.map(findingLine);
      lines.push(
        `Extracted ${result.files} file(s), ${formatBytes(result.bytes)}, and created ${result.directories} director${result.directories === 1 ? 'y' : 'ies'} in ${target}`,
      );
      writeLines(stdout, lines);
    }
    return ExitCode.ok;
  },
};
