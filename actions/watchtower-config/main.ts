import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as core from '@actions/core';
import { Inputs } from '../../packages/shared/inputs.js';
import { redactSecrets, registerSecret, setOutputs } from '../../packages/shared/secrets.js';
import { Ssh } from '../../packages/shared/ssh.js';
import { writeSummary } from '../../packages/shared/summary.js';
import { applyOverSsh, composeScript, filesToSend } from './apply.js';
import { type ApplyConfig, DEFAULTS, type GenerateConfig, readConfig, type TriggerConfig } from './config.js';
import { COMPOSE_FILE, CONFIG_DIR } from './files.js';
import { renderSummary } from './summary.js';
import { triggerUpdate, triggerUrl } from './trigger.js';

export async function main(): Promise<void> {
  const config = readConfig(new Inputs(core.getInput, registerSecret, DEFAULTS));
  const outputs = { 'compose-file': '', 'config-dir': '', updated: '', 'trigger-status': '' };
  let lines: string[];
  if (config.mode === 'generate') lines = await generate(config.generate, config.dryRun, outputs);
  else if (config.mode === 'trigger') lines = await trigger(config.trigger, config.dryRun, outputs);
  else lines = await apply(config.apply, config.dryRun, outputs);
  setOutputs(outputs);
  await writeSummary(renderSummary(config.mode, config.dryRun, lines));
}

type Outputs = Record<'compose-file' | 'config-dir' | 'updated' | 'trigger-status', string>;

async function generate(config: GenerateConfig, dryRun: boolean, outputs: Outputs): Promise<string[]> {
  // Only this mode writes YAML, so only it loads the YAML library.
  const { generateFiles } = await import('./generate.js');
  const files = generateFiles(config);
  const lines: string[] = [];
  for (const file of files) {
    const path = join(config.outputDir, file.path);
    lines.push(`${dryRun ? 'would write' : 'wrote'} ${path}${file.secret ? ' (secret, 0600)' : ''}`);
    if (dryRun) continue;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, file.content, { mode: file.secret ? 0o600 : 0o644 });
    if (file.secret) chmodSync(path, 0o600);
  }
  const compose = files.find((file) => file.path === COMPOSE_FILE);
  if (compose) core.info(`${COMPOSE_FILE}:\n${compose.content}`);
  outputs['compose-file'] = resolve(config.outputDir, COMPOSE_FILE);
  outputs['config-dir'] = resolve(config.outputDir, CONFIG_DIR);
  return lines;
}

async function trigger(config: TriggerConfig, dryRun: boolean, outputs: Outputs): Promise<string[]> {
  const url = triggerUrl(config);
  if (dryRun) return [`would POST ${url.href} with the API token`];
  core.info(`POST ${url.href} (waits up to ${Math.round(config.timeoutMs / 1000)} s for the update to finish)`);
  const result = await triggerUpdate(config, {
    onRetry: ({ attempt, delayMs, why }) => {
      core.info(`attempt ${attempt}: ${why}; retrying in ${delayMs} ms`);
    },
  });
  outputs['trigger-status'] = String(result.status);
  const summary = result.summary;
  outputs.updated = summary?.updated === undefined ? '' : String(summary.updated);
  const line = summary
    ? `Watchtower ${summary.status ?? 'answered'}: scanned ${summary.scanned ?? '?'}, updated ${summary.updated ?? '?'}, failed ${summary.failed ?? '?'}`
    : `Watchtower answered HTTP ${result.status}`;
  core.info(line);
  if ((summary?.failed ?? 0) > 0) throw new Error(`${line}: see the Watchtower logs on the VM`);
  return [`POST ${url.href}: HTTP ${result.status} after ${result.attempts} attempt(s)`, line];
}

async function apply(config: ApplyConfig, dryRun: boolean, outputs: Outputs): Promise<string[]> {
  const files = filesToSend(config);
  const target = `${config.user}@${config.host}:${config.port}:${config.remoteDir}`;
  if (dryRun) {
    return [
      `would copy ${files.map((file) => file.local).join(', ')} to ${target}`,
      `would run:\n${composeScript(config, true, true)}`,
    ];
  }
  const ssh = new Ssh({
    host: config.host,
    user: config.user,
    port: config.port,
    key: config.key,
    knownHosts: config.knownHosts,
  });
  try {
    const result = await applyOverSsh(config, ssh, (line) => {
      core.info(redactSecrets(line));
    });
    outputs.updated = String(result.updated);
    return [
      `copied ${result.files.join(', ')} to ${target}`,
      `docker compose pull and up -d: ${result.updated} container(s) created or recreated`,
    ];
  } finally {
    ssh.dispose();
  }
}
