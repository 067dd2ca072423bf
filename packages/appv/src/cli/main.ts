#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Writable } from 'node:stream';
import zlib from 'node:zlib';
import {
  type AppvError,
  ErrorCode,
  isAppvError,
  nearestName,
  printable,
  removeTemporaryFilesSync,
} from '@appv/opc';
import { usage } from './arguments.js';
import type { Command, CommandContext } from './command.js';
import { catCommand } from './commands/cat.js';
import { editCommand } from './commands/edit.js';
import { extractCommand } from './commands/extract.js';
import { infoCommand } from './commands/info.js';
import { lsCommand } from './commands/ls.js';
import { packCommand } from './commands/pack.js';
import { verifyCommand } from './commands/verify.js';
import { ExitCode } from './exit-codes.js';
import { writeJson } from './output.js';

const COMMANDS: readonly Command[] = [
  infoCommand,
  lsCommand,
  catCommand,
  extractCommand,
  verifyCommand,
  packCommand,
  editCommand,
];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: appv <command> <package|dir> [options]

Read, inspect, extract, verify, pack and edit Microsoft App-V 5 .appv packages (and read AppX/MSIX).

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Every command takes --json (machine-readable output on stdout) and --help.
Exit status: 0 ok / valid, 1 verify found errors, 2 usage error or unreadable input, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM), 129 hung up (SIGHUP).

Options:
  -h, --help     show this help ("appv <command> --help" or "appv help <command>" for a command's options)
  -V, --version  print the version`;
}

function version(): string {
  // dist/cli/main.js and src/cli/main.ts are both two levels below the package root.
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

async function main(argv: readonly string[], context: CommandContext): Promise<ExitCode> {
  const [verb, ...rest] = argv;
  if (verb === '--help' || verb === '-h' || verb === 'help') {
    // `appv help help` is the help on help: this text (found by review: "unknown command").
    const topic = rest[0] === undefined || rest[0] === 'help' ? undefined : commandNamed(rest[0]);
    context.stdout.write(`${topic ? topic.help : mainHelp()}\n`);
    return ExitCode.ok;
  }
  if (verb === '--version' || verb === '-V') {
    context.stdout.write(`${version()}\n`);
    return ExitCode.ok;
  }
  if (verb === undefined) {
    context.stderr.write(`${mainHelp()}\n`);
    return ExitCode.usageOrInput;
  }
  return commandNamed(verb).run(rest, context);
}

/** The command called `name`; a USAGE error naming the likely one otherwise (`infoo`, `--json info`). */
function commandNamed(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (command) return command;
  const names = COMMANDS.map((c) => c.name);
  if (name.startsWith('-')) {
    throw usage(
      '',
      `${JSON.stringify(name)} is not a command: options go after the command, as in "appv info --json <package>"`,
    );
  }
  const meant = nearestName(name, names);
  const hint = meant === undefined ? '' : ` (did you mean "${meant}"?)`;
  throw usage('', `unknown command ${JSON.stringify(name)}${hint}; commands: ${names.join(', ')}`);
}

/** Said once however the interruption ends: the verb stopping, or the grace timer (found by review). */
let interruptionSaid = false;
function sayInterrupted(): void {
  if (interruptionSaid) return;
  interruptionSaid = true;
  process.stderr.write(`appv: ${stopWord()}\n`);
}

/** The signal that stopped the verb, if one did. */
let stopSignal: StopSignal | null = null;

/**
 * What stopped the verb, in words: SIGTERM (a service manager, `kill`) and SIGHUP (the terminal closed) are
 * not a person's Ctrl-C, and were reported as one (found by review).
 */
function stopWord(): string {
  if (stopSignal === 'SIGTERM') return 'terminated (SIGTERM)';
  if (stopSignal === 'SIGHUP') return 'hung up (SIGHUP)';
  return 'interrupted';
}

/** The exit status of a process ended by `signal`, as shells report it: 128 + its number. */
function statusOf(signal: StopSignal): number {
  return 128 + (os.constants.signals[signal] ?? 2);
}

type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/**
 * Error → one line on stderr and the exit status; never a stack trace for a known failure. Under `--json`
 * the error also goes to stdout as `{"error": {"code", "message", "part", "offset", "block", "file"}}`, so that a
 * script reads every outcome from one stream in one format (found by review).
 */
function report(
  error: unknown,
  signal: AbortSignal,
  streams: {
    stdout: Writable;
    stderr: NodeJS.WriteStream;
    output: { documentBegun: boolean };
    /** The command run, when the first argument names one. */
    verb?: string | undefined;
  },
  asked: boolean,
): ExitCode {
  const json = asked && !streams.output.documentBegun;
  if (signal.aborted || (isAppvError(error) && error.code === ErrorCode.ABORTED)) {
    sayInterrupted();
    if (json) writeJson(streams.stdout, errorJson(ErrorCode.ABORTED, stopWord()));
    return ExitCode.interrupted;
  }
  if (isAppvError(error)) {
    const message = withHelpHint(error, streams.verb);
    streams.stderr.write(`appv: ${error.code}: ${printable(message)}\n`);
    if (json) writeJson(streams.stdout, errorJson(error.code, message, error));
    return ExitCode.usageOrInput;
  }
  // Not an AppvError: a bug in appv itself. Show everything, it is what a bug report needs.
  streams.stderr.write(
    `appv: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  if (json)
    writeJson(streams.stdout, errorJson('INTERNAL', error instanceof Error ? error.message : String(error)));
  return ExitCode.usageOrInput;
}

/**
 * A USAGE error ends with where to look, as the CLI's own usage errors do; the library's (an option value it
 * refuses, `--vfs ''`, `--new-version` with `--package-id`) lacked it (found by review).
 */
function withHelpHint(error: AppvError, verb: string | undefined): string {
  if (error.code !== ErrorCode.USAGE || error.message.endsWith('--help")')) return error.message;
  const known = COMMANDS.some((c) => c.name === verb);
  return `${error.message} (see "appv ${known ? `${verb} ` : ''}--help")`;
}

function errorJson(
  code: string,
  message: string,
  location: {
    part?: string | undefined;
    offset?: number | undefined;
    block?: number | undefined;
    file?: string | undefined;
  } = {},
) {
  return {
    error: {
      code,
      message,
      part: location.part ?? null,
      offset: location.offset ?? null,
      block: location.block ?? null,
      file: location.file ?? null,
    },
  };
}

/**
 * Ends the process the way the un-handled signal would (the shell then reports 130 for Ctrl-C, 143 for
 * SIGTERM). process.exit() is no use here: at exit, Node joins the libuv thread pool, so a thread stuck in a
 * blocking call hangs it.
 */
function dieOf(signal: StopSignal): never {
  // The verb did not get to clean up: its temporary files go now, or they stay behind (found by review).
  removeTemporaryFilesSync();
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
  // The signal is delivered asynchronously; never return into the aborted work meanwhile.
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
}

/** Whether the verb was asked for JSON (its arguments, not a value such as `-o --json`, which is refused). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/** Exits at once, removing the temporary files of any write still under way. */
function exitNow(status: number): never {
  removeTemporaryFilesSync();
  process.exit(status);
}

/** How long an interrupted verb gets to stop cleanly (remove temp files, end workers) before we exit anyway. */
const INTERRUPT_GRACE_MS = 2000;

/**
 * `zlib.crc32` came with Node 20.15, which the packages' `engines` ask for; npm only warns about that, so an
 * older Node is named here rather than failing later in a worker with a TypeError.
 */
function runtimeProblem(): string | null {
  if (typeof (zlib as { crc32?: unknown }).crc32 === 'function') return null;
  return `needs Node.js 20.15 or later (for zlib.crc32); this is ${process.version}`;
}

async function run(): Promise<void> {
  const problem = runtimeProblem();
  if (problem !== null) {
    process.stderr.write(`appv: ${problem}\n`);
    process.exitCode = ExitCode.usageOrInput;
    return;
  }
  const controller = new AbortController();
  let stoppedBy: StopSignal | null = null;
  // Ctrl-C, SIGTERM (a service manager, `kill`) and SIGHUP (the terminal closed, ssh dropped) stop the verb
  // cleanly: its temporary files go (SIGTERM and SIGHUP left them behind; found by review).
  const onStop = (signal: StopSignal) => {
    // A second signal while cleanup is slow means "now".
    if (controller.signal.aborted) dieOf(signal);
    stoppedBy = signal;
    stopSignal = signal;
    controller.abort(new Error(stopWord()));
    // Some waits cannot be cancelled (a stuck network mount, a write to a pipe nobody reads): do not hang on
    // them. Unref'd, so a verb that stops promptly is not kept waiting for this timer.
    setTimeout(() => {
      sayInterrupted();
      dieOf(signal);
    }, INTERRUPT_GRACE_MS).unref();
  };
  process.on('SIGINT', () => onStop('SIGINT'));
  process.on('SIGTERM', () => onStop('SIGTERM'));
  process.on('SIGHUP', () => onStop('SIGHUP'));
  // A reader that closes the pipe early (`appv ls pkg | head`) is not an error worth a stack trace; any
  // other failure to write the output (a full disk) is an I/O error, exit 2.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') exitNow(Number(process.exitCode ?? ExitCode.ok));
    const message = `appv: ${ErrorCode.IO_WRITE_FAILED}: cannot write the output: ${error.message}\n`;
    process.stderr.write(message, () => exitNow(ExitCode.usageOrInput));
  });
  // A stderr nobody reads any more (the terminal hung up, `2>&1 | head` ended) only loses the progress bar
  // and messages; the work itself goes on (exiting here left a half-written package's temporary file).
  process.stderr.on('error', () => undefined);
  const context: CommandContext = {
    signal: controller.signal,
    stdout: process.stdout,
    stderr: process.stderr,
    output: { documentBegun: false },
  };
  try {
    process.exitCode = await main(process.argv.slice(2), context);
    // A verb that finished its work just as Ctrl-C arrived did all of it: an edit in place had already
    // replaced its input, and exit 130 said the work had stopped cleanly, nothing changed (found by review).
    // Its own status stands; the signal is said, not hidden.
    if (stoppedBy !== null)
      process.stderr.write(`appv: ${stopWord()} after the work was done; it is complete\n`);
  } catch (error) {
    process.exitCode = report(
      error,
      controller.signal,
      { ...context, verb: process.argv[2] },
      wantsJson(process.argv.slice(2)),
    );
    if (stoppedBy !== null) process.exitCode = statusOf(stoppedBy);
  }
}

await run();
