import type { WrittenPart } from '@appv/opc';
import { packPackage } from '../../pack/pack-package.js';
import { COMMON_OPTIONS, expectPositionals, optional, parseVerbArgs, requireOutput } from '../arguments.js';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { findingLine } from '../finding-output.js';
import { formatBytes, formatCompression, renderFields, writeLines } from '../output.js';
import { ProgressBar } from '../progress-bar.js';
import { identityFlag, WRITE_OPTIONS, writeOptionValues } from '../write-options.js';
import { writeWrittenJson, writtenPackageFields } from '../written-package.js';

export const packCommand: Command = {
  name: 'pack',
  summary: 'make an App-V package from a folder',
  help: `Usage: appv pack <dir> -o <out.appv> [options]

<dir> is either a package layout (Root/... and, optionally, AppxManifest.xml, StreamMap.xml,
FilesystemMetadata.xml, PackageHistory.xml and Registry.dat to keep) or a plain folder, which is
placed under a VFS token (--vfs). Every 64 KiB block is deflated with a full flush on all cores, so
the package can be streamed block by block; BlockMap, content types, FilesystemMetadata (8.3 names,
empty directories), StreamMap, PackageHistory and the manifest are generated.
<out>_DeploymentConfig.xml and <out>_UserConfig.xml (named after the package file, as the
sequencer names them) are written next to the package, and renamed into place right after it.
Names, collisions and readability are checked before anything is written; the package appears
under its name only when complete.

Options:
  -o, --output <file>       the package to write
  --vfs <token/path>        where a plain folder goes (default "ProgramFilesX86/<folder name>";
                            "AppVPackageRoot/<path>" puts it under the package root itself)
  --name <name>             Identity Name (default: from the folder name)
  --display-name <text>     display name
  --version <a.b.c.d>       package version (default 0.0.0.1)
  --publisher <dn>          Identity Publisher (default CN=Reserved)
  --package-id <guid>       PackageId (default random; from name and publisher with --deterministic)
  --version-id <guid>       VersionId (default random; from the content with --deterministic)
  --publishing <file[:blocks]>  Publishing feature block file, e.g. app.exe:0-3,10 (repeatable)
  --primary <file[:blocks]>     Primary feature block file (repeatable)
  --load-all                stream the whole package before launch (LoadAll on the primary block)
  --opaque <dir>            mark a directory opaque (repeatable)
  --level <0-9>             deflate level (default 6; 0 stores everything)
  --store <ext,...>         also store these extensions uncompressed (zip, cab, png, jpg... always are)
  --deterministic           fixed timestamps, order and ids: same input, same bytes
  --no-config               do not write the dynamic configuration files
  --json                    print the result as JSON
  -h, --help                show this help`,

  async run(args, { signal, stdout, stderr }) {
    const parsed = parseVerbArgs(
      'pack',
      args,
      {
        ...COMMON_OPTIONS,
        ...WRITE_OPTIONS,
        vfs: { type: 'string' },
        version: { type: 'string' },
        publisher: { type: 'string' },
        'load-all': { type: 'boolean' },
        opaque: { type: 'string', multiple: true },
      },
      { 'set-version': '--version', out: '--output' },
    );
    const { values, positionals } = parsed;
    if (values.help) {
      stdout.write(`${this.help}\n`);
      return ExitCode.ok;
    }
    expectPositionals('pack', parsed, ['dir'], true);
    const output = requireOutput('pack', values.output, 'the package to write', '<out.appv>');
    const [dir = ''] = positionals;
    const bar = new ProgressBar(stderr, 'packing', 0);
    let result: Awaited<ReturnType<typeof packPackage>>;
    try {
      result = await packPackage(dir, output, {
        signal,
        ...writeOptionValues('pack', values),
        ...optional('vfs', values.vfs),
        ...optional('version', identityFlag('pack', '--version', 'version', values.version)),
        ...optional('publisher', identityFlag('pack', '--publisher', 'publisher', values.publisher)),
        ...optional('loadAll', values['load-all']),
        ...optional('opaqueDirectories', values.opaque),
        onProgress: (done, total) => bar.update(done, total),
      });
    } finally {
      bar.finish();
    }
    // On stderr, so a script reading --json on stdout gets them in the document (`warnings`) and a person sees them.
    for (const warning of result.warnings) stderr.write(`${findingLine(warning)}\n`);
    if (values.json) {
      writeWrittenJson(stdout, result);
    } else {
      writeLines(stdout, [
        ...renderFields([
          ...writtenPackageFields(result),
          [
            'Files',
            `${result.files} (${formatBytes(result.bytes)}), ${result.emptyDirectories} empty director${result.emptyDirectories === 1 ? 'y' : 'ies'}`,
          ],
          ['Size', `${packedSize(result.parts)}; package file ${formatBytes(result.size)}`],
          ['Config', result.configs.length === 0 ? null : result.configs.join(', ')],
        ]),
      ]);
    }
    return ExitCode.ok;
  },
};

/** The items' sizes as `info` gives them, so that both verbs say the same of one package. */
function packedSize(parts: readonly WrittenPart[]): string {
  let uncompressed = 0;
  let compressed = 0;
  for (const part of parts) {
    uncompressed += part.size;
    compressed += part.compressedSize;
  }
  return formatCompression(uncompressed, compressed);
}
