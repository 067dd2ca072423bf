import type { Writable } from 'node:stream';
import type { ExitCode } from './exit-codes.js';

/** What a verb gets from `main`: its arguments' streams and the Ctrl-C signal. */
export interface CommandContext {
  readonly signal: AbortSignal;
  readonly stdout: Writable;
  /** A TTY stream when progress may be drawn on it (see progress-bar.ts). */
  readonly stderr: NodeJS.WriteStream;
  /**
   * Set by a command that streams its --json document (`cat --json`) once the document has begun on stdout:
   * an error after that goes to stderr only, since a second document after a cut one is no JSON a reader
   * can parse (found by review).
   */
  readonly output: { documentBegun: boolean };
}

/** One `appv <verb>`; each lives in its own file under commands/. */
export interface Command {
  readonly name: string;
  /** One line for `appv --help`. */
  readonly summary: string;
  /** Full text for `appv <verb> --help`, usage line first. */
  readonly help: string;
  /** Resolves to the exit code; throws AppvError (USAGE for bad arguments) on failure. */
  run(args: readonly string[], context: CommandContext): Promise<ExitCode>;
}
