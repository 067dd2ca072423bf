import { AppvPackage } from '../appv-package.js';

/**
 * Opens the package a verb works on, and closes it whatever happens (the file handle must not leak). Every
 * verb that uses it only reads, so the package is opened read-only: a parsed BlockMap then keeps no copy of
 * its bytes and no fingerprint (~60 ms and 4 MB for the 16,677 parts of the bench's set).
 */
export async function withPackage<T>(
  file: string,
  signal: AbortSignal,
  work: (pkg: AppvPackage) => Promise<T>,
): Promise<T> {
  const pkg = await AppvPackage.open(file, { signal, readOnly: true });
  try {
    return await work(pkg);
  } finally {
    await pkg.close();
  }
}
