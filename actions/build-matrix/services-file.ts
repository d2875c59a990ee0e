import { parse } from 'yaml';
import { InputError } from '../../packages/shared/errors.js';
import { globProblem } from '../../packages/shared/glob.js';
import { isRegistryHost } from '../../packages/shared/image-ref.js';
import { type CommandName, COMMANDS } from './commands.js';

export interface Toolchain {
  spec: string;
  name: 'node' | 'java' | 'none';
  version: string;
}

export interface Service {
  name: string;
  path: string;
  context: string;
  dockerfile: string;
  toolchain: Toolchain;
  commands: Record<CommandName, string>;
  watch: string[];
  /** Paths whose changes never select this service (globs, from the repository root). */
  ignore: string[];
  dependsOn: string[];
}

export interface ServicesFile {
  registry: string;
  repositoryPrefix: string;
  shared: string[];
  /** Paths whose changes select nothing, shared paths included: docs, fixtures. */
  ignore: string[];
  services: Service[];
}

const SERVICE_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const SERVICE_KEYS = new Set(['path', 'toolchain', 'commands', 'watch', 'ignore', 'depends-on', 'dockerfile', 'context']);
const TOP_KEYS = new Set(['registry', 'repository-prefix', 'shared', 'ignore', 'services']);

/**
 * Parses and checks a services file. Every problem is one line naming the input (`config`
 * or `services`) and the exact key, so a typo is found before anything is built.
 */
export function parseServicesFile(input: string, text: string): ServicesFile {
  const fail = (detail: string) => new InputError(input, detail);
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw fail(`is not valid YAML: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
  if (!isRecord(document)) throw fail('must be a YAML mapping with registry and services');
  for (const key of Object.keys(document)) if (!TOP_KEYS.has(key)) throw fail(`has an unknown key "${key}"`);

  const registry = document.registry;
  if (typeof registry !== 'string' || !isRegistryHost(registry)) {
    throw fail('registry must be a registry host such as myacr.azurecr.io or 127.0.0.1:5000');
  }
  const prefix = document['repository-prefix'] ?? '';
  if (typeof prefix !== 'string' || (prefix !== '' && !/^[a-z0-9]+(?:[._/-][a-z0-9]+)*$/.test(prefix))) {
    throw fail('repository-prefix must be lowercase letters, digits and . _ - / separators');
  }
  const shared = globs(document.shared, 'shared', fail);
  const ignore = globs(document.ignore, 'ignore', fail);
  if (!isRecord(document.services) || Object.keys(document.services).length === 0) {
    throw fail('services must map at least one service name to its settings');
  }

  const services = Object.entries(document.services).map(([name, raw]) => parseService(name, raw, fail));
  checkDependencies(services, fail);
  return { registry: registry.toLowerCase(), repositoryPrefix: prefix, shared, ignore, services };
}

function parseService(name: string, raw: unknown, fail: (detail: string) => InputError): Service {
  const at = `services.${name}`;
  if (!SERVICE_NAME.test(name)) throw fail(`${at}: a service name must be lowercase letters and digits, with . _ - between`);
  if (!isRecord(raw)) throw fail(`${at} must be a mapping with at least path`);
  for (const key of Object.keys(raw)) if (!SERVICE_KEYS.has(key)) throw fail(`${at} has an unknown key "${key}"`);
  const path = normalisePath(raw.path);
  if (path === undefined) throw fail(`${at}.path must be a relative folder such as ${name}`);
  const context = raw.context === undefined ? path : normalisePath(raw.context);
  if (context === undefined) throw fail(`${at}.context must be a relative folder`);
  const dockerfile = raw.dockerfile === undefined ? `${path === '.' ? '' : `${path}/`}Dockerfile` : normalisePath(raw.dockerfile);
  if (dockerfile === undefined) throw fail(`${at}.dockerfile must be a relative file path`);

  const commands = Object.fromEntries(COMMANDS.map((command) => [command, ''])) as Record<CommandName, string>;
  if (raw.commands !== undefined) {
    if (!isRecord(raw.commands)) throw fail(`${at}.commands must map ${COMMANDS.join(', ')} to shell commands`);
    for (const [command, value] of Object.entries(raw.commands)) {
      if (!(COMMANDS as readonly string[]).includes(command)) {
        throw fail(`${at}.commands has an unknown command "${command}"; allowed: ${COMMANDS.join(', ')}`);
      }
      if (typeof value !== 'string') throw fail(`${at}.commands.${command} must be a string`);
      commands[command as CommandName] = value;
    }
  }
  return {
    name,
    path,
    context,
    dockerfile,
    toolchain: parseToolchain(raw.toolchain, `${at}.toolchain`, fail),
    commands,
    watch: globs(raw.watch, `${at}.watch`, fail),
    ignore: globs(raw.ignore, `${at}.ignore`, fail),
    dependsOn: stringList(raw['depends-on'], `${at}.depends-on`, fail),
  };
}

/** A list of globs (a `!` one excludes what those before it matched), each checked. */
function globs(raw: unknown, at: string, fail: (detail: string) => InputError): string[] {
  const list = stringList(raw, at, fail);
  for (const pattern of list) {
    const problem = globProblem(pattern.startsWith('!') ? pattern.slice(1) : pattern);
    if (problem !== undefined) throw fail(`${at}: the glob ${JSON.stringify(pattern)} ${problem}`);
  }
  return list;
}

export function parseToolchain(raw: unknown, at: string, fail: (detail: string) => InputError): Toolchain {
  const spec = raw ?? 'none';
  if (spec === 'none') return { spec: 'none', name: 'none', version: '' };
  const match = typeof spec === 'string' ? /^(node|java)@(\d+(?:\.\d+){0,2})$/.exec(spec) : null;
  if (!match) throw fail(`${at} must be node@N, java@N or none; got ${JSON.stringify(spec)}`);
  return { spec: spec as string, name: match[1] as 'node' | 'java', version: match[2] ?? '' };
}

function checkDependencies(services: readonly Service[], fail: (detail: string) => InputError): void {
  const names = new Set(services.map((service) => service.name));
  for (const service of services) {
    for (const dependency of service.dependsOn) {
      if (!names.has(dependency)) {
        throw fail(
          `services.${service.name}.depends-on names "${dependency}", which is not a service (known: ${[...names].join(', ')})`,
        );
      }
    }
  }
  // Depth-first search; the grey set holds the current path, so meeting it again is a cycle.
  const byName = new Map(services.map((service) => [service.name, service]));
  const done = new Set<string>();
  const visit = (name: string, path: string[]): void => {
    if (done.has(name)) return;
    const start = path.indexOf(name);
    if (start >= 0) throw fail(`services have a depends-on cycle: ${[...path.slice(start), name].join(' -> ')}`);
    for (const dependency of byName.get(name)?.dependsOn ?? []) visit(dependency, [...path, name]);
    done.add(name);
  };
  for (const service of services) visit(service.name, []);
}

function normalisePath(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const path = raw.trim().replace(/^\.\//, '').replace(/\/+$/, '') || '.';
  if (path.startsWith('/') || path.split('/').includes('..')) return undefined;
  return path;
}

function stringList(raw: unknown, at: string, fail: (detail: string) => InputError): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.some((item) => typeof item !== 'string' || item === '')) {
    throw fail(`${at} must be a list of strings`);
  }
  return raw as string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
