// Type-checked on its own (test/consumer/tsconfig.json) with exactOptionalPropertyTypes, as a strict consumer
// would compile against the packages: every options field takes an explicit undefined, which the code
// accepts (found by review: the types refused it). Compiling is the test; nothing here runs.
import type { DigestOptions, OpenOptions, PackageWriterOptions, PartStreamOptions } from '@appv/opc';
import type { AppvOpenOptions, EditOptions, ExtractOptions, PackOptions, VerifyOptions } from 'appv';

declare const signal: AbortSignal | undefined;
declare const count: number | undefined;
declare const flag: boolean | undefined;
declare const text: string | undefined;

export const open: OpenOptions = { signal };
export const appvOpen: AppvOpenOptions = { signal, readOnly: flag };
export const verify: VerifyOptions = { signal, threads: count, onProgress: undefined };
export const extract: ExtractOptions = { signal, overwrite: flag, parts: undefined, onProgress: undefined };
export const pack: PackOptions = { signal, level: count, vfs: text, name: text, deterministic: flag };
export const edit: EditOptions = { signal, newVersion: flag, setVersion: text, add: undefined };
export const writer: PackageWriterOptions = { signal, level: count, threads: count };
export const digest: DigestOptions = { signal, threads: count, collect: flag };
export const stream: PartStreamOptions = { signal, verify: flag };
