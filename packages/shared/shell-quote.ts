/**
 * POSIX single-quoting. Only for the places a shell string cannot be avoided: the command
 * line ssh hands to the remote shell, and build-matrix's script of a service's own shell
 * commands (its folder). Every dynamic value goes through this, so it is one inert word
 * there, whatever characters it holds.
 */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
