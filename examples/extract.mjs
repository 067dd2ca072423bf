// Library use: extract a package into a directory, safely, with a progress readout and Ctrl-C support.
// Usage: node examples/extract.mjs [package] [target-dir]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, extractPackage, isAppvError, openPackage } from 'appv';

const file = process.argv[2] ?? fileURLToPath(new URL('./sample/VendorApp.appv', import.meta.url));
const target = process.argv[3] ?? mkdtempSync(path.join(tmpdir(), 'appv-extract-'));

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

let pkg;
try {
  // Inside the try: a file that is no package at all is reported like any other failure.
  pkg = await openPackage(file);
  const result = await extractPackage(pkg, target, {
    signal: controller.signal,
    onProgress: ({ files, totalFiles }) => {
      if (process.stderr.isTTY) process.stderr.write(`\r${files}/${totalFiles} files`);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  console.log(
    `${result.files} files (${result.bytes} bytes) and ${result.directories} directories in ${target}`,
  );
} catch (error) {
  if (!isAppvError(error)) throw error;
  // A hostile name is refused before the first byte is written: the target is left as it was.
  if (error.code === ErrorCode.EXTRACT_PATH_UNSAFE) console.error(`refused: ${error.message}`);
  else console.error(`${error.code}: ${error.message}`);
  process.exitCode = error.code === ErrorCode.ABORTED ? 130 : 2;
} finally {
  await pkg?.close();
}
