// The steps a service's commands may name, in the order a build runs them. A module of its
// own: the matrix (select.ts) needs them at startup, the services file parser (and its YAML
// library) loads only when a services file is read.
export const COMMANDS = ['install', 'lint', 'test', 'build'] as const;
export type CommandName = (typeof COMMANDS)[number];
