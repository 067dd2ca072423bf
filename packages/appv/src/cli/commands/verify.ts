import { defaultThreadCount, MAX_WORKER_THREADS } from '@appv/opc';
import { verifyPackage } from '../../verify/verify.js';
import type { VerifyReport } from '../../verify/verify-report.js';
import { COMMON_OPTIONS, expectPositionals, parseVerbArgs, usage } from '../arguments.js';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { findingJson, findingLine } from '../finding-output.js';
import { formatBytes, writeJson, writeLines } from '../output.js';
import { ProgressBar } from '../progress-bar.js';

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check the container, the BlockMap hashes and the App-V parts',
  help: `Usage: appv verify <package> [--threads <n>] [--json]

Checks everything FORMAT.md section 9 lists: ZIP end records and central directory, part names,
[Content_Types].xml, AppxBlockMap.xml against the ZIP, the SHA-256 of every 64 KiB block, the
CRC-32 of every item, and the App-V layer (manifest ids, StreamMap, FilesystemMetadata).
A file that can be read but is no package at all is a finding (ZIP_NOT_A_ZIP, exit status 1),
and so is a package cut short (ZIP_TRUNCATED); one that cannot be read (missing, not a regular
file) is exit status 2.

Prints one line per finding ("error HASH_MISMATCH Root\\x.dll block 3: ..."), then a summary.
Exit status: 0 valid (warnings allowed), 1 at least one error, 2 usage error or unreadable file.

Options:
  --threads <n>  worker threads for inflating and hashing (default: ${defaultThreadCount()}, every core)
  --json         print {"valid", "findings": [{"code", "severity", "part", "block", "message"}], "stats"}
  -h, --help     show this help`,

  async run(args, { signal, stdout, stderr }) {
    const parsed = parseVerbArgs('verify', args, { ...COMMON_OPTIONS, threads: { type: 'string' } });
    const { values, positionals } = parsed;
    if (values.help) {
      stdout.write(`${this.help}\n`);
      return ExitCode.ok;
    }
    expectPositionals('verify', parsed, ['package']);
    const threads = values.threads === undefined ? undefined : parseThreads(values.threads);
    const [file = ''] = positionals;
    const bar = new ProgressBar(stderr, 'verifying', 0);
    let report: VerifyReport;
    try {
      report = await verifyPackage(file, {
        signal,
        ...(threads === undefined ? {} : { threads }),
        onProgress: (progress) => bar.update(progress.done, progress.total),
      });
    } finally {
      bar.finish();
    }
    if (values.json) writeJson(stdout, toJson(report));
    else writeLines(stdout, [...report.findings.map(findingLine), summaryLine(file, report)]);
    return report.valid ? ExitCode.ok : ExitCode.findings;
  },
};

function parseThreads(text: string): number {
  const threads = Number(text);
  if (
    !/^[0-9]+$/.test(text) ||
    !Number.isSafeInteger(threads) ||
    threads < 1 ||
    threads > MAX_WORKER_THREADS
  ) {
    throw usage(
      'verify',
      `--threads must be a whole number from 1 to ${MAX_WORKER_THREADS}, not ${JSON.stringify(text)}`,
    );
  }
  return threads;
}

/** The documented JSON shape (findingJson: every finding has all five keys). */
function toJson(report: VerifyReport) {
  return {
    valid: report.valid,
    findings: report.findings.map(findingJson),
    stats: { ...report.stats, droppedFindings: report.droppedFindings },
  };
}

function summaryLine(file: string, report: VerifyReport): string {
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.length - errors;
  const { items, blocks, bytes, seconds } = report.stats;
  const checked = `${items} item(s), ${blocks} block(s), ${formatBytes(bytes)} in ${seconds.toFixed(2)} s`;
  const dropped = report.droppedFindings > 0 ? ` (${report.droppedFindings} more finding(s) not shown)` : '';
  if (report.valid) {
    return `${file}: valid${warnings > 0 ? ` with ${warnings} warning(s)` : ''} (${checked})`;
  }
  return `${file}: INVALID: ${errors} error(s), ${warnings} warning(s)${dropped} (${checked})`;
}
