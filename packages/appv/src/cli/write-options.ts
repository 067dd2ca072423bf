import { usage } from './arguments.js';

/**
 * Options `pack` and `edit` share, parsed once: the deflate level and the stored-extension list.
 */

export function deflateLevel(verb: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9]$/.test(text)) throw usage(verb, `--level takes 0-9, not ${JSON.stringify(text)}`);
  return Number(text);
}

/** `--store zip,cab --store .iso` → `['zip', 'cab', 'iso']`. */
export function storeList(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  return values
    .flatMap((v) => v.split(','))
    .map((e) => e.trim().replace(/^\./, ''))
    .filter((e) => e !== '');
}
