// Library use: open a package, print its identity and parts, then verify it with a progress readout.
// Usage: node examples/inspect.mjs [package]   (default: the sample App-V package)
import { fileURLToPath } from 'node:url';
import { isAppvError, listParts, openPackage, packageInfo, verifyPackage } from 'appv';

const file = process.argv[2] ?? fileURLToPath(new URL('./sample/VendorApp.appv', import.meta.url));

try {
  const pkg = await openPackage(file);
  try {
    const info = await packageInfo(pkg);
    console.log(`${info.displayName ?? info.name} ${info.version} by ${info.publisher}`);
    if (info.packageId) console.log(`App-V package ${info.packageId}, version ${info.versionId}`);
    else console.log('Not an App-V package (plain AppX/MSIX)');
    for (const app of info.applications)
      console.log(`  application: ${app.name ?? app.id} -> ${app.target ?? '?'}`);

    console.log(
      `\n${info.itemCount} items (${info.partCount} parts, the rest [Content_Types].xml or folders):`,
    );
    for (const part of listParts(pkg)) {
      console.log(`  ${part.method.padEnd(7)} ${String(part.size).padStart(9)}  ${part.name}`);
    }

    // Reusing the open package saves re-reading the central directory.
    const report = await verifyPackage(pkg, {
      onProgress: ({ done, total }) => {
        if (process.stderr.isTTY && total > 0)
          process.stderr.write(`\rverifying ${Math.round((done / total) * 100)}%`);
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
    for (const f of report.findings) console.log(`${f.severity} ${f.code} ${f.part ?? ''}: ${f.message}`);
    console.log(
      `\n${report.valid ? 'valid' : 'INVALID'}: ${report.stats.blocks} blocks hashed in ${report.stats.seconds.toFixed(2)} s`,
    );
    process.exitCode = report.valid ? 0 : 1;
  } finally {
    await pkg.close();
  }
} catch (error) {
  // Every failure is an AppvError with a stable code: branch on the code, show the message.
  if (!isAppvError(error)) throw error;
  console.error(`${error.code}: ${error.message}`);
  process.exitCode = 2;
}
