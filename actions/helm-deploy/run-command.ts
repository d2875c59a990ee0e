import * as core from '@actions/core';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { ArmClient } from '../../packages/shared/arm.js';
import { entraTokenFromGitHubOidc } from '../../packages/shared/azure-auth.js';
import type { ExecResult } from '../../packages/shared/exec.js';
import { redactSecrets } from '../../packages/shared/secrets.js';
import { shellQuote } from '../../packages/shared/shell-quote.js';
import { echoToolLine } from '../../packages/shared/tool-output.js';
import { zipStored } from '../../packages/shared/zip.js';
import { AKS_API_VERSION, AKS_SERVER_APP } from './aks.js';
import type { AksTarget, UpgradeSettings } from './config.js';
import { HelmCli } from './helm-cli.js';
import type { SignalRelay } from './signals.js';

/** ARM takes a request body of a few MiB: the chart and values must fit well inside. */
const MAX_CONTEXT_BYTES = 3 * 1024 * 1024;
/** What of a command's log is kept and shown: a chart's output is bounded, as the job log is. */
const MAX_LOG_CHARS = 1024 * 1024;

interface ManagedCluster {
  properties?: { apiServerAccessProfile?: { enablePrivateCluster?: boolean }; aadProfile?: unknown };
}

const clusterPath = (aks: AksTarget): string =>
  `/subscriptions/${encodeURIComponent(aks.subscriptionId)}/resourceGroups/${encodeURIComponent(aks.resourceGroup)}` +
  `/providers/Microsoft.ContainerService/managedClusters/${encodeURIComponent(aks.clusterName)}`;

function armClient(aks: AksTarget, timeoutMs: number): ArmClient {
  return new ArmClient({
    endpoint: aks.armEndpoint,
    token: () => entraTokenFromGitHubOidc(aks, `${aks.armEndpoint}/.default`),
    conflictTimeoutMs: timeoutMs,
    operationTimeoutMs: timeoutMs,
    defaultDelayMs: 2000,
  });
}

/** The managed cluster's properties: is its API server private, is it Entra-enabled. */
export async function readManagedCluster(aks: AksTarget): Promise<{ private: boolean; entra: boolean }> {
  const answer = await armClient(aks, 60_000).request(
    'GET',
    `${clusterPath(aks)}?api-version=${AKS_API_VERSION}`,
    undefined,
    `GET ${aks.clusterName}`,
  );
  const properties = (answer.body as ManagedCluster | undefined)?.properties;
  return { private: properties?.apiServerAccessProfile?.enablePrivateCluster === true, entra: properties?.aadProfile != null };
}

/** Every file under `dir` by its path relative to `dir` (with `/`), links refused. */
function filesUnder(dir: string, into: Map<string, Buffer>, prefix: string): void {
  const walk = (folder: string, depth: number): void => {
    if (depth > 32) throw new Error(`${dir} is nested more than 32 folders deep`);
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isSymbolicLink()) throw new Error(`${path} is a symbolic link: the run command's context holds files only`);
      if (entry.isDirectory()) walk(path, depth + 1);
      else if (entry.isFile()) into.set(`${prefix}/${relative(dir, path).split(sep).join('/')}`, readFileSync(path));
    }
  };
  walk(dir, 0);
}

/**
 * Helm inside a private AKS cluster, through ARM's run command: AKS starts a pod in the
 * cluster that runs the command with the cluster's own credentials; no kubeconfig reaches
 * the runner. Each helm call is one `POST .../runCommand` (polled at `.../commandResults/
 * {id}`), so history, upgrade, recovery and rollback run as on the direct path. The chart
 * folder and values files travel as the command's `context` (a zip, base64) and are named
 * by their paths inside it. The command line is the one shell string this action builds:
 * ARM takes nothing else, so every argument is single-quoted (shell-quote.ts) after the
 * checks every input passed. stdout and stderr come back as one log; the command writes
 * stderr after a random marker so they are told apart. Logs are redacted and bounded.
 */
export class RunCommandHelm extends HelmCli {
  private readonly arm: ArmClient;
  private readonly paths = new Map<string, string>();
  private context: string | undefined;

  constructor(
    private readonly aks: AksTarget,
    private readonly timeoutMs: number,
    private readonly clusterToken: (() => Promise<string>) | undefined,
    major: 3 | 4,
    relay: SignalRelay,
    namespace: string,
  ) {
    super('helm', major, {}, relay, namespace);
    this.arm = armClient(aks, timeoutMs + 120_000);
  }

  /** The chart folder and values files the upgrade names, packed once into the context. */
  override useFiles(settings: UpgradeSettings | undefined): void {
    if (settings === undefined) return;
    const files = new Map<string, Buffer>();
    if (settings.chart.startsWith('/')) {
      if (statSync(settings.chart).isDirectory()) filesUnder(settings.chart, files, 'chart');
      else files.set(`chart/${basename(settings.chart)}`, readFileSync(settings.chart));
      this.paths.set(settings.chart, statSync(settings.chart).isDirectory() ? 'chart' : `chart/${basename(settings.chart)}`);
    }
    settings.valuesFiles.forEach((file, index) => {
      const name = `values/${index}-${basename(file)}`;
      files.set(name, readFileSync(file));
      this.paths.set(file, name);
    });
    const zip = zipStored(files);
    if (zip.length > MAX_CONTEXT_BYTES) {
      throw new Error(
        `the chart and values come to ${zip.length} bytes, more than the ${MAX_CONTEXT_BYTES} a run command carries`,
      );
    }
    this.context = zip.toString('base64');
  }

  override withEnv(): HelmCli {
    throw new Error('a private cluster cannot log Helm in to a registry from the runner: give the chart as a folder');
  }

  override async run(
    subcommand: string[],
    flags: string[],
    positional: string[],
    onLine?: (line: string) => void,
  ): Promise<ExecResult> {
    if (subcommand[0] === 'dependency' || subcommand[0] === 'registry') {
      throw new Error(
        `helm ${subcommand.join(' ')} cannot run through a private cluster's run command: give a chart folder with its charts/ built`,
      );
    }
    const marker = `deploy-actions-stderr-${randomUUID()}`;
    const args = [...subcommand, '--namespace', this.namespace, ...flags, '--', ...positional].map(
      (arg) => this.paths.get(arg) ?? arg,
    );
    const command = `helm ${args.map(shellQuote).join(' ')} 2>.stderr; code=$?; printf '\\n%s\\n' ${shellQuote(marker)}; cat .stderr; exit $code`;
    const token = this.clusterToken ? await this.clusterToken() : undefined;
    const answer = await this.arm.longRunning(
      'POST',
      `${clusterPath(this.aks)}/runCommand?api-version=${AKS_API_VERSION}`,
      {
        command,
        ...(this.context !== undefined && { context: this.context }),
        ...(token !== undefined && { clusterToken: token }),
      },
      `run command helm ${subcommand.join(' ')} in ${this.aks.clusterName}`,
    );
    const result = (
      answer.body as { properties?: { provisioningState?: string; exitCode?: number; logs?: string; reason?: string } }
    )?.properties;
    if (result?.provisioningState !== 'Succeeded' && result?.exitCode === undefined) {
      throw new Error(
        `the run command in ${this.aks.clusterName} ended ${result?.provisioningState ?? 'with no state'}${result?.reason ? `: ${result.reason}` : ''}`,
      );
    }
    const logs = redactSecrets(result.logs ?? '').slice(-MAX_LOG_CHARS);
    const split = logs.lastIndexOf(`\n${marker}\n`);
    const stdout = split < 0 ? logs : logs.slice(0, split);
    const stderr = split < 0 ? '' : logs.slice(split + marker.length + 2);
    if (onLine) for (const line of stdout.split('\n')) onLine(line);
    if (core.isDebug()) for (const line of stderr.split('\n')) echoToolLine(line);
    return { code: result.exitCode ?? 1, stdout, stderr };
  }
}

/** A fresh Entra token for the AKS server application, for an Entra-enabled cluster's run command. */
export const clusterTokenFor =
  (aks: AksTarget): (() => Promise<string>) =>
  () =>
    entraTokenFromGitHubOidc(aks, `${AKS_SERVER_APP}/.default`);
