/** The `appv` process exit status: stable, so scripts can branch on it. */
export const ExitCode = {
  /** Done; for `verify`: the package is valid (warnings allowed). */
  ok: 0,
  /** `verify` found at least one error. */
  findings: 1,
  /** Bad arguments, or the input could not be opened, read or extracted. */
  usageOrInput: 2,
  /** Interrupted (Ctrl-C): 128 + SIGINT, as shells report it. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
