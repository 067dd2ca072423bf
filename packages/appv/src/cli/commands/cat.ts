import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { COMMON_OPTIONS, expectPositionals, parseVerbArgs } from '../arguments.js';
import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { withPackage } from '../with-package.js';

export const catCommand: Command = {
  name: 'cat',
  summary: "write one part's bytes to stdout (CRC-checked)",
  help: `Usage: appv cat <package> <part> [--json]

Writes the uncompressed bytes of one part to stdout. <part> is the decoded name
(Root\\VFS\\ProgramFilesX86\\app.exe, "/" accepted too) or the ZIP name
(Root/VFS/ProgramFilesX86/app.exe), compared case-insensitively. The bytes are streamed and
checked against the CRC-32 and size of the central directory: a corrupt part ends with an error
(exit status 2) after what was read. A leading "/" (the OPC form, /AppxManifest.xml) is accepted.

Options:
  --json      print {"name", "zipName", "size", "contentType", "crc32", "encoding": "base64", "data"};
              the part is checked whole first, so a corrupt one prints nothing on stdout
  -h, --help  show this help`,

  async run(args, { signal, stdout, output }) {
    const parsed = parseVerbArgs('cat', args, COMMON_OPTIONS);
    const { values, positionals } = parsed;
    if (values.help) {
      stdout.write(`${this.help}\n`);
      return ExitCode.ok;
    }
    expectPositionals('cat', parsed, ['package', 'part']);
    const [file = '', name = ''] = positionals;
    await withPackage(file, signal, async (pkg) => {
      const item = pkg.part(name);
      if (!values.json) return copy(pkg.opc.openStream(item, { signal }), stdout, signal);
      // The JSON document cannot be taken back once begun, and a part's CRC-32 and size are known to be
      // right only at its end: read it through once first, so a corrupt part prints nothing on stdout.
      await pipeline(
        pkg.opc.openStream(item, { signal }),
        new Writable({ write: (_chunk, _encoding, next) => next() }),
      );
      const bytes = pkg.opc.openStream(item, { signal });
      const meta = {
        name: item.name,
        zipName: item.zipName,
        size: item.uncompressedSize,
        contentType: item.contentType ?? null,
        crc32: item.crc32,
        encoding: 'base64',
        data: '',
      };
      // Streamed as base64 so that a large part costs no more memory than the raw `cat`.
      const [head, tail] = splitAtLast(JSON.stringify(meta, null, 2), '""');
      output.documentBegun = true;
      stdout.write(`${head}"`);
      await copy(Readable.from(base64Chunks(bytes)), stdout, signal);
      stdout.write(`"${tail}\n`);
    });
    return ExitCode.ok;
  },
};

/**
 * Copies to stdout without ending it (process.stdout must stay open) and treats EPIPE as a normal end:
 * `appv cat pkg part | head` closing the pipe early is the reader's choice, not a failure.
 */
async function copy(source: Readable, stdout: Writable, signal: AbortSignal): Promise<void> {
  try {
    await pipeline(source, stdout, { end: false, signal });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') return;
    throw error;
  }
}

/** Base64 in pieces: each piece encodes a multiple of 3 bytes, so the pieces concatenate to one encoding. */
async function* base64Chunks(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const joined = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
    const whole = joined.length - (joined.length % 3);
    if (whole > 0) yield joined.subarray(0, whole).toString('base64');
    carry = joined.subarray(whole);
  }
  if (carry.length > 0) yield carry.toString('base64');
}

function splitAtLast(text: string, marker: string): [string, string] {
  const at = text.lastIndexOf(marker);
  return [text.slice(0, at), text.slice(at + marker.length)];
}
