/**
 * POSIX single-quoting. Only for the one place a shell string cannot be avoided: the
 * command line ssh hands to the remote shell. Every dynamic value goes through this, so
 * it is one inert word there, whatever characters it holds.
 */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
