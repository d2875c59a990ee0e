// A real Kubernetes control plane on 127.0.0.1 with no kubelets: etcd (built by
// scripts/tools.mjs, like the rest), kube-apiserver,
// kube-controller-manager and kube-scheduler (built from k8s.io/kubernetes by
// scripts/tools.mjs), and kwok playing the nodes, so Deployments roll out and pods become
// Ready. Everything listens on loopback ports of its own and lives in one temp folder.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdBinary } from '../../scripts/tools.mjs';
import { freePort } from './http-server.js';

export interface ControlPlane {
  /** A kubeconfig for an admin (system:masters), by static token. */
  kubeconfig: string;
  server: string;
  /** The cluster CA, base64 (a kubeconfig's certificate-authority-data). */
  caData: string;
  /** Seconds from the first process to /readyz answering ok. */
  startSeconds: number;
  api: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: string }>;
  logs: string;
  close: () => Promise<void>;
}

const TOKEN = 'deploy-actions-admin-token-4f2c';

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
}

export interface ControlPlaneOptions {
  /**
   * A TokenReview webhook that authenticates bearer tokens the static list does not know, as
   * AKS does for Entra ID tokens: its URL and the CA file of its certificate.
   */
  tokenWebhook?: { url: string; caFile: string };
}

export async function startControlPlane(bin: string, options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'control-plane-'));
  const logs = join(dir, 'logs');
  execFileSync('mkdir', ['-p', logs]);
  // A CA, the apiserver's serving certificate, and the service-account signing key.
  openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=test-ca',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
  );
  openssl(
    dir,
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=kube-apiserver',
    '-keyout',
    'apiserver.key',
    '-out',
    'apiserver.csr',
  );
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\n');
  openssl(
    dir,
    'x509',
    '-req',
    '-in',
    'apiserver.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'san.ext',
    '-out',
    'apiserver.crt',
  );
  openssl(dir, 'genrsa', '-out', 'sa.key', '2048');
  openssl(dir, 'rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub');
  writeFileSync(join(dir, 'tokens.csv'), `${TOKEN},admin,admin,system:masters\n`);
  const ca = execFileSync('cat', [join(dir, 'ca.crt')]);
  const webhookFlags: string[] = [];
  if (options.tokenWebhook) {
    const config = join(dir, 'token-webhook.yaml');
    writeFileSync(
      config,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: webhook\n  cluster:\n    server: ${options.tokenWebhook.url}\n    certificate-authority: ${options.tokenWebhook.caFile}`,
        'users:',
        '- name: apiserver\n  user: {}',
        'contexts:',
        '- name: webhook\n  context: {cluster: webhook, user: apiserver}',
        'current-context: webhook',
        '',
      ].join('\n'),
    );
    webhookFlags.push(
      `--authentication-token-webhook-config-file=${config}`,
      '--authentication-token-webhook-version=v1',
      '--authentication-token-webhook-cache-ttl=1s',
    );
  }

  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: test',
      '  cluster:',
      `    server: ${server}`,
      `    certificate-authority-data: ${ca.toString('base64')}`,
      'users:',
      '- name: admin',
      '  user:',
      `    token: ${TOKEN}`,
      'contexts:',
      '- name: test',
      '  context: {cluster: test, user: admin, namespace: default}',
      'current-context: test',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );

  const children: ChildProcess[] = [];
  const launch = (name: string, file: string, args: string[]) => {
    const out = openSync(join(logs, `${name}.log`), 'a');
    const child = spawn(file, args, { cwd: dir, stdio: ['ignore', out, out] });
    children.push(child);
  };
  const api: ControlPlane['api'] = (method, path, body) =>
    new Promise((resolve, reject) => {
      const req = request(
        `${server}${path}`,
        { method, ca, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, timeout: 10_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });

  const close = async () => {
    for (const child of children.reverse()) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    launch('etcd', etcdBinary(), [
      '--data-dir',
      join(dir, 'etcd'),
      '--listen-client-urls',
      `http://127.0.0.1:${etcdClient}`,
      '--advertise-client-urls',
      `http://127.0.0.1:${etcdClient}`,
      '--listen-peer-urls',
      `http://127.0.0.1:${etcdPeer}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${etcdPeer}`,
      '--initial-cluster',
      `default=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync',
    ]);
    launch('kube-apiserver', join(bin, 'kube-apiserver'), [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      // The kubernetes Service's endpoint would be this loopback address, which the reconciler refuses.
      '--endpoint-reconciler-type=none',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${join(dir, 'apiserver.crt')}`,
      `--tls-private-key-file=${join(dir, 'apiserver.key')}`,
      `--client-ca-file=${join(dir, 'ca.crt')}`,
      `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      '--service-account-issuer=https://kubernetes.default.svc',
      '--service-cluster-ip-range=10.96.0.0/16',
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--enable-priority-and-fairness=false',
      ...webhookFlags,
    ]);
    await waitFor(async () => (await api('GET', '/readyz')).body === 'ok', 90_000, 'kube-apiserver');
    launch('kube-controller-manager', join(bin, 'kube-controller-manager'), [
      `--kubeconfig=${kubeconfig}`,
      '--leader-elect=false',
      '--secure-port=0',
      `--service-account-private-key-file=${join(dir, 'sa.key')}`,
      `--root-ca-file=${join(dir, 'ca.crt')}`,
      '--controllers=*,-nodeipam',
    ]);
    launch('kube-scheduler', join(bin, 'kube-scheduler'), [
      `--kubeconfig=${kubeconfig}`,
      '--leader-elect=false',
      '--secure-port=0',
    ]);
    launch('kwok', join(bin, 'kwok'), [
      `--kubeconfig=${kubeconfig}`,
      `--config=${join(bin, 'kwok-stages.yaml')}`,
      '--manage-all-nodes=true',
      '--node-lease-duration-seconds=40',
    ]);
    // One node that kwok plays: pods scheduled to it become Running and Ready.
    const node = await api('POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'kwok-node-0', annotations: { 'kwok.x-k8s.io/node': 'fake' }, labels: { type: 'kwok' } },
      status: { allocatable: { cpu: '32', memory: '256Gi', pods: '110' }, capacity: { cpu: '32', memory: '256Gi', pods: '110' } },
    });
    if (node.status !== 201) throw new Error(`creating the kwok node answered ${node.status}: ${node.body}`);
    await waitFor(
      async () => (await api('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200,
      60_000,
      'the default service account',
    );
    return {
      kubeconfig,
      server,
      caData: ca.toString('base64'),
      startSeconds: (performance.now() - started) / 1000,
      api,
      logs,
      close,
    };
  } catch (error) {
    throw await failedStart(error, logs, close);
  }
}

/** A stand-up that failed: its parts stopped, and the error with the end of each part's log. */
export async function failedStart(error: unknown, logs: string, close: () => Promise<void>): Promise<Error> {
  const tail = execFileSync('sh', ['-c', `tail -n 5 ${logs}/*.log`], { encoding: 'utf8' });
  await close();
  return new Error(`${(error as Error).message}\n${tail}`, { cause: error });
}
