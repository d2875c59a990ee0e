// The file names and the registry login shared by generate and apply; no YAML library here,
// so that apply and trigger do not load one.
import type { RegistryLogin } from './config.js';

export const COMPOSE_FILE = 'docker-compose.watchtower.yml';
export const ENV_FILE = 'watchtower.env';
export const CONFIG_DIR = 'docker-config';

export interface GeneratedFile {
  path: string;
  content: string;
  /** Files holding secrets are written 0600. */
  secret: boolean;
}

/** A docker config.json holding one registry login, as `docker login` would write it. */
export function dockerConfigFile(registry: RegistryLogin | undefined): GeneratedFile {
  const auths: Record<string, { auth: string }> = {};
  if (registry !== undefined)
    auths[registry.host] = { auth: Buffer.from(`${registry.username}:${registry.password}`).toString('base64') };
  return { path: `${CONFIG_DIR}/config.json`, content: `${JSON.stringify({ auths }, null, 2)}\n`, secret: true };
}
