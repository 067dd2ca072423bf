import { type ParseArgsConfig, parseArgs } from 'node:util';
import { AppvError, ErrorCode, nearestName, quoted } from '@appv/opc';

/** Options every verb takes (spread into each verb's option table). */
export const COMMON_OPTIONS = {
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type OptionTable = NonNullable<ParseArgsConfig['options']>;

/** What `parseVerbArgs` gives: `node:util` parseArgs' result for the verb's option table. */
export type VerbArgs<O extends OptionTable> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true; tokens: true }>
>;

/**
 * A verb's arguments through `node:util` parseArgs (strict), with its errors turned into USAGE errors that
 * say what was likely meant. `aliases` names other verbs' spellings (`edit --version` is `--set-version`).
 * Refuses what parseArgs lets through silently (found by review): a single-valued option given twice (the
 * last one won) and `-o=out.appv` (parseArgs takes "=out.appv" as the value, and a file named so was written).
 */
export function parseVerbArgs<O extends OptionTable>(
  verb: string,
  args: readonly string[],
  options: O,
  aliases: Readonly<Record<string, string>> = {},
): VerbArgs<O> {
  let parsed: VerbArgs<O>;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw usage(verb, parseErrorMessage(error, verb, args, options, aliases));
  }
  checkTokens(verb, parsed.tokens, options);
  return parsed;
}

function parseErrorMessage(
  error: unknown,
  verb: string,
  args: readonly string[],
  options: OptionTable,
  aliases: Readonly<Record<string, string>>,
) {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const unknown = /^Unknown option '(--?[^']*)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown !== undefined) {
    const meant = meantOption(unknown, options, aliases);
    if (meant !== undefined) return `unknown option ${unknown} (did you mean ${meant}?)`;
    // `-dash.appv` is read as the short options -d -a -s …: say how to name such a file.
    const word = args.find((a) => a.startsWith(unknown) && a.length > unknown.length && !a.startsWith('--'));
    if (word !== undefined) {
      return `unknown option ${unknown} (in ${quoted(word)}); a name that starts with "-" goes after "--" (appv ${verb} -- ${word}) or as ./${word}`;
    }
    // parseArgs' own advice here (put it after "--", with an unbalanced quote) fits a file name, not the
    // option of another verb it almost always is (`info --threads`; found by review).
    return `unknown option ${unknown}; appv ${verb} takes ${optionList(options)}`;
  }
  // parseArgs' own advice ("place it after '--'", "use '--output=-XYZ'") is kept: it is what to do.
  return message.replace(/\s*\n\s*/g, ' ');
}

/** `--json, -h/--help` for an option table, in its order. */
function optionList(options: OptionTable): string {
  return Object.entries(options)
    .map(([name, option]) => (option.short ? `-${option.short}/--${name}` : `--${name}`))
    .join(', ');
}

function meantOption(
  given: string,
  options: OptionTable,
  aliases: Readonly<Record<string, string>>,
): string | undefined {
  const name = given.replace(/^--?/, '').replace(/=.*$/, '');
  const alias = aliases[name];
  if (alias !== undefined) return alias;
  if (!given.startsWith('--')) return undefined;
  const long = nearestName(name, Object.keys(options));
  return long === undefined ? undefined : `--${long}`;
}

type Token = VerbArgs<OptionTable>['tokens'][number];

function checkTokens(verb: string, tokens: readonly Token[], options: OptionTable): void {
  const seen = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.value === undefined) continue;
    const short = !token.rawName.startsWith('--');
    if (short && token.inlineValue && token.value.startsWith('=')) {
      const value = token.value.slice(1);
      throw usage(
        verb,
        `${token.rawName}${token.value}: a short option takes its value after a space (${token.rawName} ${value}, or --${token.name}=${value})`,
      );
    }
    if (options[token.name]?.multiple) continue;
    const earlier = seen.get(token.name);
    if (earlier !== undefined) {
      throw usage(
        verb,
        `--${token.name} given twice (${quoted(earlier)} and ${quoted(token.value)}); give it once`,
      );
    }
    seen.set(token.name, token.value);
  }
}

/**
 * Exactly the named positionals (unless `--help`, which ignores them). The message says why the count is
 * off where that can be seen: an option that took the next argument as its value (`verify --threads
 * pkg.appv`), or an output given without `-o`.
 */
export function expectPositionals(
  verb: string,
  parsed: { readonly positionals: readonly string[]; readonly tokens: readonly Token[] },
  names: readonly string[],
  takesOutput = false,
): void {
  const count = parsed.positionals.length;
  const empty = parsed.positionals.indexOf('');
  if (empty >= 0 && empty < names.length) {
    // An unset shell variable: Node's "no such file: " named nothing (found by review).
    throw usage(verb, `<${names[empty]}> is empty (an unset variable?)`);
  }
  if (count === names.length) return;
  const expected = names.map((n) => `<${n}>`).join(' ');
  const got = count === 0 ? 'got none' : `got ${count}: ${parsed.positionals.map(quoted).join(' ')}`;
  throw usage(verb, `expected ${expected}, ${got}${positionalHint(parsed, names, takesOutput)}`);
}

function positionalHint(
  parsed: { readonly positionals: readonly string[]; readonly tokens: readonly Token[] },
  names: readonly string[],
  takesOutput: boolean,
): string {
  if (parsed.positionals.length < names.length) {
    const taker = parsed.tokens.find(
      (t) => t.kind === 'option' && t.value !== undefined && !t.inlineValue && t.name !== 'output',
    );
    if (taker?.kind === 'option') return ` (${taker.rawName} took ${quoted(taker.value ?? '')} as its value)`;
    return '';
  }
  const hasOutput = parsed.tokens.some((t) => t.kind === 'option' && t.name === 'output');
  const last = parsed.positionals.at(-1) ?? '';
  return !takesOutput || hasOutput ? '' : `; the output goes after -o: -o ${quoted(last)}`;
}

/** A USAGE error whose message ends with where to look; `verb` empty for the top level. */
export function usage(verb: string, message: string): AppvError {
  const help = verb === '' ? 'appv --help' : `appv ${verb} --help`;
  return new AppvError(ErrorCode.USAGE, `${message} (see "${help}")`);
}

/** `{ key: value }` when an option was given, `{}` otherwise (the options objects are exactOptionalPropertyTypes). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

/** The value of a required `-o` option, e.g. `requireOutput('pack', v, 'the package to write', '<out.appv>')`. */
export function requireOutput(
  verb: string,
  output: string | undefined,
  what: string,
  placeholder: string,
): string {
  if (output === undefined || output === '') throw usage(verb, `${what} is missing: -o ${placeholder}`);
  return output;
}
