import { listParts, type PartRow } from '../../package-info.js';
import { COMMON_OPTIONS, expectPositionals, parseVerbArgs } from '../arguments.js';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { formatBytes, hex32, renderTable, writeJson, writeLines } from '../output.js';
import { withPackage } from '../with-package.js';

export const lsCommand: Command = {
  name: 'ls',
  summary: 'list every item with sizes, method, blocks, content type and CRC-32',
  help: `Usage: appv ls <package> [--json]

Lists every ZIP item of the package in central directory order, footprint parts included:
method, size, compressed size, number of 64 KiB blocks, CRC-32, content type and the decoded
part name (BlockMap form, "\\" separators). --json adds the ZIP name.

Options:
  --json      print {"items": [{name, zipName, size, compressedSize, method, blocks, contentType, crc32}]}
  -h, --help  show this help`,

  async run(args, { signal, stdout }) {
    const parsed = parseVerbArgs('ls', args, COMMON_OPTIONS);
    const { values, positionals } = parsed;
    if (values.help) {
      stdout.write(`${this.help}\n`);
      return ExitCode.ok;
    }
    expectPositionals('ls', parsed, ['package']);
    const [file = ''] = positionals;
    await withPackage(file, signal, async (pkg) => {
      const rows = listParts(pkg);
      if (values.json) writeJson(stdout, { items: rows });
      else writeLines(stdout, [...table(rows), summary(rows)]);
    });
    return ExitCode.ok;
  },
};

function table(rows: readonly PartRow[]): string[] {
  const columns = [
    { header: 'Method' },
    { header: 'Size', align: 'right' },
    { header: 'Compressed', align: 'right' },
    { header: 'Blocks', align: 'right' },
    { header: 'CRC-32' },
    { header: 'Content type' },
    { header: 'Name' },
  ] as const;
  return renderTable(
    columns,
    rows.map((row) => [
      row.method,
      String(row.size),
      String(row.compressedSize),
      String(row.blocks),
      hex32(row.crc32),
      row.contentType ?? '-',
      row.name,
    ]),
  );
}

function summary(rows: readonly PartRow[]): string {
  const size = rows.reduce((sum, row) => sum + row.size, 0);
  const compressed = rows.reduce((sum, row) => sum + row.compressedSize, 0);
  return `${rows.length} item(s), ${formatBytes(size)} (${formatBytes(compressed)} compressed)`;
}
