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
}

/** WRITE_OPTIONS' values as `packPackage`/`editPackage` options (the ones that were given). */
export function writeOptionValues(verb: string, values: WriteValues) {
  return {
    deterministic: values.deterministic ?? false,
    ...optional('name', values.name),
    ...optional('displayName', values['display-name']),
    ...optional('packageId', values['package-id']),
    ...optional('versionId', values['version-id']),
    ...optional('publishing', values.publishing),
    ...optional('primary', values.primary),
    ...optional('level', deflateLevel(verb, values.level)),
    ...optional('store', storeList(values.store)),
  };
}

function deflateLevel(verb: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9]$/.test(text)) throw usage(verb, `--level takes 0-9, not ${JSON.stringify(text)}`);
  return Number(text);
}

/** `--store zip,cab --store .iso` → `['zip', 'cab', 'iso']`. */
function storeList(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  return values
    .flatMap((v) => v.split(','))
    .map((e) => e.trim().replace(/^\./, ''))
    .filter((e) => e !== '');
}
