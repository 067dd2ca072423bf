import { AppvError, ErrorCode } from '@appv/opc';

/** Options every verb takes (spread into each verb's `node:util` parseArgs config). */
export const COMMON_OPTIONS = {
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/**
 * Runs a verb's `node:util` parseArgs (strict mode), turning its errors (unknown option, missing value) into
 * USAGE errors so that `main` reports them like any other usage mistake.
 */
export function parseOrUsage<T>(verb: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw usage(verb, error instanceof Error ? firstSentence(error.message) : String(error));
  }
}

/** Exactly the named positionals (unless `--help`, which ignores them). */
export function expectPositionals(
  verb: string,
  positionals: readonly string[],
  names: readonly string[],
): void {
  if (positionals.length !== names.length) {
    const expected = names.map((n) => `<${n}>`).join(' ');
    throw usage(verb, `expected ${expected}, got ${positionals.length} argument(s)`);
  }
}

/** A USAGE error whose message ends with where to look; `verb` empty for the top level. */
export function usage(verb: string, message: string): AppvError {
  const help = verb === '' ? 'appv --help' : `appv ${verb} --help`;
  return new AppvError(ErrorCode.USAGE, `${message} (see "${help}")`);
}

/** parseArgs appends a paragraph of advice to its messages; the hint we add says where to look instead. */
function firstSentence(message: string): string {
  const end = message.search(/\.(\s|$)/);
  return end < 0 ? message : message.slice(0, end + 1);
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
