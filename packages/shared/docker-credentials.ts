import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { exec } from './exec.js';

export type RegistryCredential =
  { kind: 'basic'; username: string; password: string } | { kind: 'identity-token'; token: string } | { kind: 'anonymous' };

interface DockerConfig {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG ?? join(homedir(), '.docker');
}

/**
 * The credential an existing `docker login` left for a registry: a credential helper, or
 * the config's own auths entry. A `<token>` user means the secret is an identity (refresh) token.
 */
export async function credentialFromDockerConfig(registry: string, configDir = dockerConfigDir()): Promise<RegistryCredential> {
  const path = join(configDir, 'config.json');
  if (!existsSync(path)) return { kind: 'anonymous' };
  const config = JSON.parse(readFileSync(path, 'utf8')) as DockerConfig;
  const helper = config.credHelpers?.[registry] ?? config.credsStore;
  if (helper) {
    const result = await exec(`docker-credential-${helper}`, ['get'], { input: registry });
    if (result.code === 0) {
      const { Username, Secret } = JSON.parse(result.stdout) as { Username: string; Secret: string };
      return Username === '<token>'
        ? { kind: 'identity-token', token: Secret }
        : { kind: 'basic', username: Username, password: Secret };
    }
  }
  const entry = config.auths?.[registry] ?? config.auths?.[`https://${registry}`];
  if (entry?.identitytoken) return { kind: 'identity-token', token: entry.identitytoken };
  if (entry?.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return { kind: 'anonymous' };
}
