import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { execChecked, outputTail } from '../../packages/shared/exec.js';
import { shellQuote } from '../../packages/shared/shell-quote.js';
import { Ssh } from '../../packages/shared/ssh.js';
import { makeTempDir, removeTempDir } from '../../packages/shared/temp.js';
import type { ApplyConfig } from './config.js';
import { COMPOSE_FILE, CONFIG_DIR, dockerConfigFile } from './files.js';
import type { ModeResult } from './mode-result.js';
import { echoToolLine } from '../../packages/shared/tool-output.js';

export interface ApplyResult {
  files: string[];
  updated: number;
  output: string;
}

/** The files sent to the VM: the app's compose file, and Watchtower's generated files if any. */
export function filesToSend(config: ApplyConfig): { local: string; remote: string }[] {
  const files = [{ local: config.composeFile, remote: basename(config.composeFile) }];
  if (existsSync(config.outputDir)) files.push({ local: config.outputDir, remote: '.' });
  return files;
}

/**
 * The remote script: fixed text, with every value shell-quoted. It prefers `docker compose`
 * and falls back to the older `docker-compose`, which many VMs still have.
 */
export function composeScript(config: ApplyConfig, withWatchtower: boolean, withDockerConfig: boolean): string {
  const dir = shellQuote(config.remoteDir);
  const files = [
    '-f',
    shellQuote(basename(config.composeFile)),
    ...(withWatchtower ? ['-f', shellQuote(COMPOSE_FILE)] : []),
  ].join(' ');
  const services = config.services.map(shellQuote).join(' ');
  return [
    'set -e',
    `cd ${dir}`,
    withDockerConfig ? `export DOCKER_CONFIG="$PWD"/${CONFIG_DIR}` : ':',
    'if docker compose version >/dev/null 2>&1; then set -- docker compose; else set -- docker-compose; fi',
    `"$@" ${files} pull ${services}`,
    `"$@" ${files} up -d --remove-orphans ${services}`,
  ].join('\n');
}

/** Copies the files over SSH (one tar stream) and runs compose pull and up -d on the VM. */
export async function applyOverSsh(config: ApplyConfig, ssh: Ssh, log: (line: string) => void): Promise<ApplyResult> {
  // The stage and its archive hold the registry password: both live in one 0700 folder that
  // `finally` removes on every path, a failed ssh included.
  const work = makeTempDir('apply');
  const stage = join(work, 'files');
  mkdirSync(stage, { mode: 0o700 });
  try {
    const files = filesToSend(config);
    for (const file of files) cpSync(file.local, join(stage, file.remote), { recursive: true });
    if (config.registry !== undefined) {
      const login = dockerConfigFile(config.registry);
      mkdirSync(dirname(join(stage, login.path)), { recursive: true, mode: 0o700 });
      writeFileSync(join(stage, login.path), login.content, { mode: 0o600 });
    }
    const archive = join(work, 'files.tar');
    await execChecked('tar', ['-C', stage, '-cf', archive, '.']);
    const dir = shellQuote(config.remoteDir);
    const copy = await ssh.run(`umask 077 && mkdir -p ${dir} && tar -xf - -C ${dir}`, readFileSync(archive));
    if (copy.code !== 0)
      throw new Error(`copying to ${config.host}:${config.remoteDir} failed: ${explainSshFailure(copy.stderr)}`);

    const withWatchtower = existsSync(join(stage, COMPOSE_FILE));
    const withDockerConfig = existsSync(join(stage, CONFIG_DIR));
    const result = await ssh.run(composeScript(config, withWatchtower, withDockerConfig), undefined, log);
    const output = `${result.stdout}\n${result.stderr}`;
    if (result.code !== 0)
      throw new Error(`docker compose on ${config.host} failed (exit ${result.code}): ${outputTail(result.stderr, 2)}`);
    return { files: files.map((file) => file.local), updated: containersChanged(output).length, output };
  } finally {
    removeTempDir(work);
  }
}

/** Containers compose created or recreated: v1 prints "Recreating x ... done", v2 "Container x  Recreated". */
export function containersChanged(output: string): string[] {
  const names = new Set<string>();
  for (const match of output.matchAll(/(?:Recreating|Creating) (\S+)\s+\.\.\./g)) names.add(match[1] ?? '');
  for (const match of output.matchAll(/Container (\S+)\s+(?:Recreated|Created)/g)) names.add(match[1] ?? '');
  names.delete('');
  return [...names].sort();
}

/** ssh's last stderr line says what went wrong; its banners above it do not. */
export function explainSshFailure(stderr: string): string {
  const last = outputTail(stderr, 1);
  if (/Host key verification failed/.test(last)) return `${last} (the host key is not in known-hosts, or it changed)`;
  return last || 'ssh failed without a message';
}

/** apply mode: the files and `docker compose pull` + `up -d` on the VM over SSH. */
export async function runApply(config: ApplyConfig, dryRun: boolean): Promise<ModeResult> {
  const files = filesToSend(config);
  const target = `${config.user}@${config.host}:${config.port}:${config.remoteDir}`;
  if (dryRun) {
    return {
      lines: [
        `would copy ${files.map((file) => file.local).join(', ')} to ${target}`,
        `would run:\n${composeScript(config, true, true)}`,
      ],
      outputs: {},
    };
  }
  const ssh = new Ssh({
    host: config.host,
    user: config.user,
    port: config.port,
    key: config.key,
    knownHosts: config.knownHosts,
  });
  try {
    const result = await applyOverSsh(config, ssh, echoToolLine);
    return {
      lines: [
        `copied ${result.files.join(', ')} to ${target}`,
        `docker compose pull and up -d: ${result.updated} container(s) created or recreated`,
      ],
      outputs: { updated: String(result.updated) },
    };
  } finally {
    ssh.dispose();
  }
}
