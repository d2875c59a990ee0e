// A fake of Azure Resource Manager's managedClusters credential calls, over HTTPS, beside the
// fake Entra (test/support/fake-entra.ts), whose certificate it shares. It follows the REST
// reference of "Managed Clusters - List Cluster User Credentials" (read with the search
// tool): POST .../managedClusters/{name}/listClusterUserCredential (or
// listClusterAdminCredential) with api-version and, for Entra clusters, format; the answer
// is CredentialResults, `{ kubeconfigs: [{ name, value }] }` with the kubeconfig in base64.
// The bearer token must be one Entra minted for ARM's own scope (its audience).
//
// With `runCommand`, it also serves "Managed Clusters - Get" (the cluster's properties:
// apiServerAccessProfile.enablePrivateCluster, aadProfile) and "Run Command" / "Get Command
// Result" as AKS runs them: the POST answers 202 with a Location at commandResults/{id},
// which answers 202 while the command runs and then 200 with RunCommandResult (properties:
// provisioningState, exitCode, logs, startedAt, finishedAt). The command runs with bash in a
// fresh folder holding the unpacked `context` (Info-ZIP's unzip, a reader independent of the
// action's writer), with the cluster's own kubeconfig and the real helm on PATH: the pod AKS
// starts. stdout and stderr come back interleaved in one log, as AKS gives them.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FakeEntra } from './fake-entra.js';
import { closeServer, listen, send } from './fake-entra.js';

export interface ArmCall {
  operation: 'listClusterUserCredential' | 'listClusterAdminCredential';
  subscription: string;
  resourceGroup: string;
  cluster: string;
  query: Record<string, string>;
}

/** The cluster a run command reaches: its properties, and what its pod runs with. */
export interface RunCommandCluster {
  private: boolean;
  entra: boolean;
  /** The cluster's own (admin) kubeconfig, which only the pod sees. */
  kubeconfig: string;
  /** The real helm the pod runs. */
  helm: string;
}

export interface RunCommandRecord {
  command: string;
  contextFiles: string[];
  clusterToken: string | undefined;
  exitCode: number;
}

export interface FakeArm {
  endpoint: string;
  calls: ArmCall[];
  /** Every run command, in order. */
  runCommands: RunCommandRecord[];
  /** Requests refused for a token minted for another audience (or none). */
  refused: () => number;
  close: () => Promise<void>;
}

const PATH =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerService\/managedClusters\/([^/]+)\/(listClusterUserCredential|listClusterAdminCredential)$/;

/** `kubeconfigFor` gives the kubeconfig text for a call (the test control plane's, or an Entra one). */
const CLUSTER =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ContainerService\/managedClusters\/([^/]+)(\/runCommand|\/commandResults\/([a-f0-9]+))?$/;

const AKS_SERVER_SCOPE = '6dae42f8-4368-4678-94ff-3960e28e3630/.default';

export async function startFakeArm(
  entra: FakeEntra,
  kubeconfigFor: (call: ArmCall) => string,
  runCommand?: RunCommandCluster,
): Promise<FakeArm> {
  const calls: ArmCall[] = [];
  const runCommands: RunCommandRecord[] = [];
  const results = new Map<string, { done: boolean; exitCode: number; logs: string; startedAt: string; finishedAt?: string }>();
  let refused = 0;
  let endpoint = '';
  const readJson = async (req: import('node:http').IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
  };
  const startCommand = async (id: string, body: Record<string, unknown>): Promise<void> => {
    const pod = mkdtempSync(join(tmpdir(), 'aks-command-'));
    const bin = join(pod, '.bin');
    mkdirSync(bin);
    symlinkSync(runCommand?.helm ?? 'helm', join(bin, 'helm'));
    writeFileSync(join(pod, '.kubeconfig'), runCommand?.kubeconfig ?? '', { mode: 0o600 });
    const work = join(pod, 'work');
    mkdirSync(work);
    let contextFiles: string[] = [];
    if (typeof body.context === 'string' && body.context !== '') {
      writeFileSync(join(pod, 'context.zip'), Buffer.from(body.context, 'base64'));
      const unzip = await runIn('unzip', ['-q', join(pod, 'context.zip'), '-d', work], work, {});
      if (unzip.code !== 0) throw new Error(`unzip: ${unzip.output}`);
      contextFiles = (await runIn('find', ['.', '-type', 'f'], work, {})).output.split('\n').filter(Boolean).sort();
    }
    const record: RunCommandRecord = {
      command: typeof body.command === 'string' ? body.command : '',
      contextFiles,
      clusterToken: typeof body.clusterToken === 'string' ? body.clusterToken : undefined,
      exitCode: -1,
    };
    runCommands.push(record);
    // An Entra-enabled cluster's API server takes only an Entra token for the AKS server
    // application (Azure's fixed app 6dae42f8-...): without one, kubectl and helm are refused.
    const unauthorized =
      runCommand?.entra === true &&
      (record.clusterToken === undefined || entra.scopeOf(record.clusterToken) !== AKS_SERVER_SCOPE);
    if (unauthorized) {
      record.exitCode = 1;
      results.set(id, {
        done: true,
        exitCode: 1,
        logs: 'Error: Kubernetes cluster unreachable: the server has asked for the client to provide credentials\n',
        startedAt: new Date().toISOString(),
        finishedAt: new Date().toISOString(),
      });
      rmSync(pod, { recursive: true, force: true });
      return;
    }
    const state = { done: false, exitCode: 0, logs: '', startedAt: new Date().toISOString() } as {
      done: boolean;
      exitCode: number;
      logs: string;
      startedAt: string;
      finishedAt?: string;
    };
    results.set(id, state);
    void runIn('bash', ['-c', record.command], work, {
      PATH: `${bin}:/usr/bin:/bin`,
      KUBECONFIG: join(pod, '.kubeconfig'),
      HOME: pod,
    }).then(({ code, output }) => {
      Object.assign(state, { done: true, exitCode: code, logs: output, finishedAt: new Date().toISOString() });
      record.exitCode = code;
      rmSync(pod, { recursive: true, force: true });
    });
  };
  const server = createHttpsServer({ key: entra.tls.key, cert: entra.tls.cert }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x');
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (entra.scopeOf(token) !== `${endpoint}/.default`) {
      refused += 1;
      send(res, 401, {
        error: { code: 'InvalidAuthenticationTokenAudience', message: 'The access token has an invalid audience.' },
      });
      return;
    }
    // Every cluster answers Get (a public one when no run command is set up); only a run
    // command cluster serves Run Command.
    const cluster = CLUSTER.exec(url.pathname);
    if (cluster && (runCommand || (cluster[2] === undefined && req.method === 'GET'))) {
      void (async () => {
        if (!url.searchParams.get('api-version')) {
          send(res, 400, {
            error: { code: 'MissingApiVersionParameter', message: 'The api-version query parameter is required.' },
          });
          return;
        }
        if (cluster[2] === undefined && req.method === 'GET') {
          send(res, 200, {
            name: cluster[1],
            type: 'Microsoft.ContainerService/ManagedClusters',
            properties: {
              apiServerAccessProfile: { enablePrivateCluster: runCommand?.private ?? false },
              ...(runCommand?.entra && { aadProfile: { managed: true, enableAzureRBAC: true } }),
            },
          });
          return;
        }
        if (cluster[2] === '/runCommand' && req.method === 'POST') {
          const body = await readJson(req);
          if (typeof body.command !== 'string' || body.command === '') {
            send(res, 400, { error: { code: 'InvalidParameter', message: 'command is required' } });
            return;
          }
          const id = randomBytes(16).toString('hex');
          await startCommand(id, body);
          res.writeHead(202, {
            location: `${endpoint}${url.pathname.replace(/\/runCommand$/, `/commandResults/${id}`)}?api-version=${url.searchParams.get('api-version') ?? ''}`,
            'retry-after': '1',
          });
          res.end();
          return;
        }
        const result = cluster[3] === undefined ? undefined : results.get(cluster[3]);
        if (req.method === 'GET' && result) {
          if (!result.done) {
            res.writeHead(202, { location: `${endpoint}${url.pathname}${url.search}`, 'retry-after': '1' });
            res.end();
            return;
          }
          send(res, 200, {
            id: cluster[3],
            properties: {
              provisioningState: 'Succeeded',
              exitCode: result.exitCode,
              startedAt: result.startedAt,
              finishedAt: result.finishedAt,
              logs: result.logs,
            },
          });
          return;
        }
        send(res, 404, { error: { code: 'NotFound', message: `no route for ${req.method} ${url.pathname}` } });
      })();
      return;
    }
    const match = PATH.exec(url.pathname);
    if (req.method !== 'POST' || !match) {
      send(res, 404, { error: { code: 'NotFound', message: `no route for ${req.method} ${url.pathname}` } });
      return;
    }
    if (!url.searchParams.get('api-version')) {
      send(res, 400, { error: { code: 'MissingApiVersionParameter', message: 'The api-version query parameter is required.' } });
      return;
    }
    const call: ArmCall = {
      operation: match[4] as ArmCall['operation'],
      subscription: decodeURIComponent(match[1] ?? ''),
      resourceGroup: decodeURIComponent(match[2] ?? ''),
      cluster: decodeURIComponent(match[3] ?? ''),
      query: Object.fromEntries(url.searchParams),
    };
    calls.push(call);
    const name = call.operation === 'listClusterAdminCredential' ? 'clusterAdmin' : 'clusterUser';
    send(res, 200, { kubeconfigs: [{ name, value: Buffer.from(kubeconfigFor(call)).toString('base64') }] });
  });
  const port = await listen(server);
  endpoint = `https://127.0.0.1:${port}`;
  return { endpoint, calls, runCommands, refused: () => refused, close: () => closeServer(server) };
}

/** Runs a program; its exit code and its stdout and stderr interleaved, as a pod's log is. */
function runIn(
  file: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd, env: Object.keys(env).length > 0 ? env : process.env });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (error) => {
      resolve({ code: 127, output: error.message });
    });
    child.on('close', (code) => {
      resolve({ code: code ?? 1, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

/** The kubeconfig AKS returns for an Entra-enabled cluster in exec format: its user runs kubelogin. */
export function entraKubeconfig(server: string, caData: string, serverId = '6dae42f8-4368-4678-94ff-3960e28e3630'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: omis-aks',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${caData}`,
    'contexts:',
    '- name: omis-aks',
    '  context: {cluster: omis-aks, user: clusterUser_omis-rg_omis-aks}',
    'current-context: omis-aks',
    'users:',
    '- name: clusterUser_omis-rg_omis-aks',
    '  user:',
    '    exec:',
    '      apiVersion: client.authentication.k8s.io/v1beta1',
    '      command: kubelogin',
    '      args: [get-token, --environment, AzurePublicCloud, --server-id, ' +
      `${serverId}, --client-id, 80faf920-1908-4b52-b5ef-a8e7bedfc67a, --tenant-id, 11111111-2222-3333-4444-555555555555, --login, devicecode]`,
    '      interactiveMode: IfAvailable',
    '      provideClusterInfo: false',
    '',
  ].join('\n');
}

export interface AksAuthWebhook {
  url: string;
  caFile: string;
  /** TokenReviews answered, and how many of them authenticated. */
  reviews: () => { total: number; authenticated: number };
  close: () => Promise<void>;
}

/**
 * The AKS API server's Entra sign-in, as a TokenReview webhook (authentication.k8s.io/v1)
 * the test control plane calls for each unknown bearer token: a token Entra minted for the
 * AKS server application's scope is a cluster admin; any other is refused.
 */
export async function startAksAuthWebhook(entra: FakeEntra, scope: string): Promise<AksAuthWebhook> {
  let total = 0;
  let authenticated = 0;
  const server = createHttpsServer({ key: entra.tls.key, cert: entra.tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      total += 1;
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { spec?: { token?: string } };
      const ok = entra.scopeOf(review.spec?.token ?? '') === scope;
      if (ok) authenticated += 1;
      send(res, 200, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        status: ok
          ? { authenticated: true, user: { username: 'deployer@omis.example', groups: ['system:masters'] } }
          : { authenticated: false, error: 'not a token for the AKS server application' },
      });
    });
  });
  const port = await listen(server);
  return {
    url: `https://127.0.0.1:${port}/tokenreview`,
    caFile: entra.tls.certPath,
    reviews: () => ({ total, authenticated }),
    close: () => closeServer(server),
  };
}
