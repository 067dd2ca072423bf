import { isAppvError, quoted } from '@appv/opc';
import { IDENTITY_CHECKS, type IdentityOptions } from '../pack/identity-options.js';
import { isExtension } from '../pack/stored-extensions.js';
import { optional, usage } from './arguments.js';

/**
 * The command-line options `pack` and `edit` share, declared and turned into library options once.
 */
export const WRITE_OPTIONS = {
  output: { type: 'string', short: 'o' },
  name: { type: 'string' },
  'display-name': { type: 'string' },
  'package-id': { type: 'string' },
  'version-id': { type: 'string' },
  publishing: { type: 'string', multiple: true },
  primary: { type: 'string', multiple: true },
  level: { type: 'string' },
  store: { type: 'string', multiple: true },
  deterministic: { type: 'boolean', default: false },
  'no-config': { type: 'boolean', default: false },
} as const;

/** What parseArgs gives for WRITE_OPTIONS. */
interface WriteValues {
  readonly name?: string | undefined;
  readonly 'display-name'?: string | undefined;
  readonly 'package-id'?: string | undefined;
  readonly 'version-id'?: string | undefined;
  readonly publishing?: string[] | undefined;
  readonly primary?: string[] | undefined;
  readonly level?: string | undefined;
  readonly store?: string[] | undefined;
  readonly deterministic?: boolean | undefined;
  readonly 'no-config'?: boolean | undefined;
}

/** WRITE_OPTIONS' values as `packPackage`/`editPackage` options (the ones that were given). */
export function writeOptionValues(verb: string, values: WriteValues) {
  return {
    deterministic: values.deterministic ?? false,
    dynamicConfig: !(values['no-config'] ?? false),
    ...optional('name', identityFlag(verb, '--name', 'name', values.name)),
    ...optional('displayName', identityFlag(verb, '--display-name', 'displayName', values['display-name'])),
    ...optional('packageId', identityFlag(verb, '--package-id', 'packageId', values['package-id'])),
    ...optional('versionId', identityFlag(verb, '--version-id', 'versionId', values['version-id'])),
    ...optional('publishing', values.publishing),
    ...optional('primary', values.primary),
    ...optional('level', deflateLevel(verb, values.level)),
    ...optional('store', storeList(verb, values.store)),
  };
}

/**
 * An identity flag's value, checked as the library checks it (IDENTITY_CHECKS), so that a value the manifest
 * cannot take is said as the flag's mistake (`--version: package version "1.2" is invalid: …`, USAGE) rather
 * than as the library's option name. Passed on as given: the library normalises it.
 */
export function identityFlag(
  verb: string,
  flag: string,
  key: keyof IdentityOptions,
  value: string | undefined,
): string | undefined {
  if (value === undefined) return undefined;
  try {
    IDENTITY_CHECKS[key](value);
  } catch (error) {
    if (isAppvError(error)) throw usage(verb, `${flag}: ${error.message}`);
    throw error;
  }
  return value;
}

function deflateLevel(verb: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9]$/.test(text)) throw usage(verb, `--level takes 0-9, not ${JSON.stringify(text)}`);
  return Number(text);
}

/** `--store zip,cab --store .iso` → `['zip', 'cab', 'iso']`; a glob or an empty list is refused. */
function storeList(verb: string, values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const list = values
    .flatMap((v) => v.split(','))
    .map((e) => e.trim().replace(/^\./, ''))
    .filter((e) => e !== '');
  if (list.length === 0) throw usage(verb, '--store takes extensions such as zip,iso or .iso, not nothing');
  for (const entry of list) {
    if (!isExtension(entry)) {
      throw usage(verb, `--store takes extensions such as zip,iso or .iso, not ${quoted(entry)}`);
    }
  }
  return list;
}
