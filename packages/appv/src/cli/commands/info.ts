import { type PackageInfo, packageInfo } from '../../package-info.js';
import { COMMON_OPTIONS, expectPositionals, parseVerbArgs } from '../arguments.js';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { findingJson } from '../finding-output.js';
import {
  formatBytes,
  formatCompression,
  renderFields,
  renderTable,
  writeJson,
  writeLines,
} from '../output.js';
import { withPackage } from '../with-package.js';

export const infoCommand: Command = {
  name: 'info',
  summary: 'identity, applications, feature blocks and sizes',
  help: `Usage: appv info <package> [--json]

Shows the package identity (name, publisher, version, App-V PackageId and VersionId), its
applications, the StreamMap feature blocks (publishing / primary: files, blocks, bytes to download)
and its sizes. Works on AppX/MSIX packages too.

Options:
  --json      print the information as one JSON object
  -h, --help  show this help`,

  async run(args, { signal, stdout }) {
    const parsed = parseVerbArgs('info', args, COMMON_OPTIONS);
    const { values, positionals } = parsed;
    if (values.help) {
      stdout.write(`${this.help}\n`);
      return ExitCode.ok;
    }
    expectPositionals('info', parsed, ['package']);
    const [file = ''] = positionals;
    await withPackage(file, signal, async (pkg) => {
      const info = await packageInfo(pkg, { signal });
      if (values.json) {
        const problems = info.problems.map(findingJson);
        writeJson(stdout, { ...info, problems, containerFindings: pkg.opc.findings.length });
      } else writeLines(stdout, describe(info, pkg.opc.findings.length));
    });
    return ExitCode.ok;
  },
};

function describe(info: PackageInfo, containerFindings: number): string[] {
  const lines = renderFields([
    ['Display name', info.displayName],
    ['Name', info.name],
    ['Publisher', info.publisher],
    ['Version', info.version],
    ['Package ID', info.packageId],
    ['Version ID', info.versionId],
    ['App-V schema', info.appvSchemaVersion ?? 'none (AppX/MSIX package)'],
    ['Parts', `${info.partCount} (${info.itemCount} ZIP items in all, as ls lists them)`],
    ['Size', formatCompression(info.uncompressedBytes, info.compressedBytes)],
    [
      'Load all',
      info.featureBlocks.length === 0 ? null : info.loadAll ? 'yes (download fully before launch)' : 'no',
    ],
  ]);
  if (info.applications.length > 0) {
    lines.push('', 'Applications:');
    const rows = info.applications.map((app) => [
      app.name ?? app.id ?? '?',
      app.version ?? '',
      app.target ?? '',
    ]);
    lines.push(
      ...indent(renderTable([{ header: 'Name' }, { header: 'Version' }, { header: 'Target' }], rows)),
    );
  }
  if (info.featureBlocks.length > 0) {
    lines.push('', 'Feature blocks:');
    const rows = info.featureBlocks.map((block) => [
      block.id + (block.loadAll ? ' (LoadAll)' : ''),
      String(block.files),
      String(block.blocks),
      formatBytes(block.uncompressedBytes),
      block.compressedBytes === null ? 'unknown' : formatBytes(block.compressedBytes),
    ]);
    const columns = [
      { header: 'Id' },
      { header: 'Files', align: 'right' },
      { header: 'Blocks', align: 'right' },
      { header: 'Size', align: 'right' },
      { header: 'Download', align: 'right' },
    ] as const;
    lines.push(...indent(renderTable(columns, rows)));
  }
  for (const problem of info.problems) lines.push('', `note: ${problem.code}: ${problem.message}`);
  if (containerFindings > 0) {
    lines.push(
      '',
      `note: ${containerFindings} problem(s) seen while opening the package; run "appv verify" for details`,
    );
  }
  return lines;
}

function indent(lines: readonly string[]): string[] {
  return lines.map((line) => `  ${line}`);
}
