import { AppvPackage } from '../appv-package.js';

/** Opens the package a verb works on, and closes it whatever happens (the file handle must not leak). */
export async function withPackage<T>(
  file: string,
  signal: AbortSignal,
  work: (pkg: AppvPackage) => Promise<T>,
): Promise<T> {
  const pkg = await AppvPackage.open(file, { signal });
  try {
    return await work(pkg);
  } finally {
    await pkg.close();
  }
}
