import { statSync } from 'node:fs';
import { quoted } from '@appv/opc';
import { editPackage } from '../../edit/edit-package.js';
import {
  COMMON_OPTIONS,
  expectPositionals,
  optional,
  parseVerbArgs,
  requireOutput,
  usage,
} from '../arguments.js';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { findingLine } from '../finding-output.js';
import { formatBytes, renderFields, writeLines } from '../output.js';
import { ProgressBar } from '../progress-bar.js';
import { identityFlag, WRITE_OPTIONS, writeOptionValues } from '../write-options.js';
import { writeWrittenJson, writtenPackageFields } from '../written-package.js';

export const editCommand: Command = {
  name: 'edit',
  summary: 'write a changed copy of a package (new version, branch, parts, feature blocks)',
  help: `Usage: appv edit <package> -o <out.appv> [options]

Writes a new package from <package>. Untouched parts are copied as their raw compressed bytes (no
inflate, no deflate); the manifest is edited in place, keeping everything appv does not model;
AppxBlockMap.xml, [Content_Types].xml and PackageHistory.xml are regenerated (StreamMap.xml and
FilesystemMetadata.xml too when the payload or feature blocks change). Without --new-version or
--branch the PackageId and VersionId are kept, even when parts change: App-V clients tell packages
apart by them, so give a changed package --new-version.

Options:
  -o, --output <file>        the package to write
  --new-version              same PackageId, new VersionId, version bumped (an upgrade in place)
  --branch --name <name>     new PackageId, VersionId and name (a separate package)
  --name <name>              without --branch: set the Identity Name, ids kept
  --set-version <a.b.c.d>    set the version
  --display-name <text>      set the display name
  --package-id <guid>, --version-id <guid>   use these ids instead of random ones
  --publishing <file[:blocks]>  replace the Publishing feature block's files (repeatable)
  --primary <file[:blocks]>     replace the Primary feature block's files (repeatable)
  --load-all / --no-load-all    set or clear LoadAll on the primary feature block
  --add <part>=<file>        add or replace a part, e.g. "Root/VFS/ProgramFilesX86/App/new.dll=./new.dll"
  --remove <part>            remove a part (repeatable)
  --level <0-9>              deflate level for added parts (default 6)
  --store <ext,...>          store these extensions uncompressed
  --deterministic            fixed timestamps, and new ids derived from the input (same input and options,
                             same bytes)
  --no-config                do not write <out>_DeploymentConfig.xml and <out>_UserConfig.xml beside
                             the package (written by default: they carry its PackageId and DisplayName)
  --json                     print the result as JSON
  -h, --help                 show this help`,

  async run(args, { signal, stdout, stderr }) {
    const parsed = parseVerbArgs(
      'edit',
      args,
      {
        ...COMMON_OPTIONS,
        ...WRITE_OPTIONS,
        'new-version': { type: 'boolean', default: false },
        branch: { type: 'boolean', default: false },
        'set-version': { type: 'string' },
        'load-all': { type: 'boolean' },
        'no-load-all': { type: 'boolean' },
        add: { type: 'string', multiple: true },
        remove: { type: 'string', multiple: true },
      },
      { version: '--set-version', out: '--output' },
    );
    const { values, positionals } = parsed;
    if (values.help) {
      stdout.write(`${this.help}\n`);
      return ExitCode.ok;
    }
    expectPositionals('edit', parsed, ['package'], true);
    const output = requireOutput('edit', values.output, 'the package to write', '<out.appv>');
    if (values['load-all'] && values['no-load-all'])
      throw usage('edit', '--load-all and --no-load-all contradict each other');
    const add = values.add?.map(addSpec);
    const loadAll = values['load-all'] ? true : values['no-load-all'] ? false : undefined;
    const [input = ''] = positionals;
    const bar = new ProgressBar(stderr, 'writing', 0);
    let result: Awaited<ReturnType<typeof editPackage>>;
    try {
      result = await editPackage(input, output, {
        signal,
        ...writeOptionValues('edit', values),
        newVersion: values['new-version'],
        branch: values.branch,
        ...optional('setVersion', identityFlag('edit', '--set-version', 'version', values['set-version'])),
        ...optional('loadAll', loadAll),
        ...optional('add', add),
        ...optional('remove', values.remove),
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
      writeLines(
        stdout,
        renderFields([
          ...writtenPackageFields(result),
          ['Parts', `${result.copied} copied raw, ${result.added} added, ${result.removed} removed`],
          ['Size', formatBytes(result.size)],
          ['Config', result.configs.length === 0 ? null : result.configs.join(', ')],
        ]),
      );
    }
    return ExitCode.ok;
  },
};

/**
 * `--add <part>=<file>`. A part name may hold "=" (pack writes `k=v.ini` as it finds it; found by review),
 * and so may a file path: with several "=", the split is the one whose right side is a file that exists,
 * and a spec where that is not exactly one split is refused rather than guessed.
 */
function addSpec(spec: string): { name: string; path: string } {
  const splits: number[] = [];
  for (let at = spec.indexOf('='); at >= 0; at = spec.indexOf('=', at + 1)) {
    if (at > 0 && at < spec.length - 1) splits.push(at);
  }
  const split = (at: number) => ({ name: spec.slice(0, at), path: spec.slice(at + 1) });
  if (splits.length === 0) throw usage('edit', `--add takes <part>=<file>, not ${quoted(spec)}`);
  if (splits.length === 1) return split(splits[0] as number);
  const existing = splits.filter((at) => isFile(spec.slice(at + 1)));
  if (existing.length === 1) return split(existing[0] as number);
  throw usage(
    'edit',
    `--add ${quoted(spec)}: it has several "=" and ${existing.length === 0 ? 'none' : 'more than one'} of the splits names an existing file`,
  );
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
