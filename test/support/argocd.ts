// A real Argo CD on the tests' real control plane, all on loopback: Debian's redis, and the
// application controller, the repo server and the API server, each the one `argocd` binary
// scripts/tools.mjs builds (its role picked by ARGOCD_BINARY_NAME, as the release images
// do), with the CRDs from Argo CD's own module. The repo server runs the real Helm 4 and git.
// The objects are the ones its install manifests make: the `argocd` namespace, argocd-cm,
// argocd-rbac-cm, argocd-secret, the default AppProject and a repository secret; the
// in-cluster destination (https://kubernetes.default.svc) is this control plane
// (ARGOCD_FAKE_IN_CLUSTER with its admin kubeconfig, as the controller runs outside a pod).
// The API token is made as a user makes one: the admin signs in, then asks for a token of a
// `github-deploy` account whose only right is `applications, get`.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { argocdDir, helmBinary } from '../../scripts/tools.mjs';
import { type ControlPlane, failedStart, waitFor } from './control-plane.js';
import { delay, freePort } from './http-server.js';

export interface ArgoCd {
  /** The API server, plain http on 127.0.0.1. */
  url: string;
  /** An API token of the `github-deploy` account, allowed `applications, get` and nothing else. */
  token: string;
  /** Creates an Application in the `argocd` namespace (the spec as Argo CD's CRD has it). */
  createApp: (name: string, spec: unknown) => Promise<void>;
  /** The Application as the API server shows it (admin's view). */
  app: (name: string) => Promise<ArgoAppView>;
  /** Seconds from the first process to the token in hand. */
  startSeconds: number;
  logs: string;
  close: () => Promise<void>;
}

export interface ArgoAppView {
  status?: {
    sync?: { status?: string; revision?: string };
    health?: { status?: string };
    operationState?: { phase?: string; message?: string };
    history?: { revision?: string }[];
    conditions?: { type?: string; message?: string }[];
  };
}

export interface ArgoCdOptions {
  /** The repository Argo CD reads, with the credentials it needs (a repository secret). */
  repository: { url: string; username: string; password: string };
}

const NAMESPACE = 'argocd';
const PART_OF = { 'app.kubernetes.io/part-of': 'argocd' };

export async function startArgoCd(plane: ControlPlane, options: ArgoCdOptions): Promise<ArgoCd> {
  const started = performance.now();
  const bin = argocdDir();
  const argocd = join(bin, 'argocd');
  const dir = mkdtempSync(join(tmpdir(), 'argocd-'));
  const logs = join(dir, 'logs');
  for (const sub of ['logs', 'home', 'tls', 'ssh', 'gnupg']) mkdirSync(join(dir, sub), { recursive: true });
  const [redisPort, repoPort, repoMetrics, controllerMetrics, serverPort, serverMetrics] = await Promise.all(
    Array.from({ length: 6 }, () => freePort()),
  );
  const url = `http://127.0.0.1:${serverPort}`;
  const children: ChildProcess[] = [];
  const env = {
    ...process.env,
    HOME: join(dir, 'home'),
    // The repo server runs helm and git from PATH, and git-verify-wrapper.sh on every checkout.
    PATH: [dirname(helmBinary('helm4')), bin, process.env.PATH ?? ''].join(':'),
    ARGOCD_FAKE_IN_CLUSTER: 'true',
    KUBECONFIG: plane.kubeconfig,
    ARGOCD_GPG_ENABLED: 'false',
    ARGOCD_TLS_DATA_PATH: join(dir, 'tls'),
    ARGOCD_SSH_DATA_PATH: join(dir, 'ssh'),
    ARGOCD_GNUPGHOME: join(dir, 'gnupg'),
  };
  const launch = (name: string, file: string, args: string[], role?: string) => {
    const out = openSync(join(logs, `${name}.log`), 'a');
    const roleEnv = role === undefined ? env : { ...env, ARGOCD_BINARY_NAME: role };
    children.push(spawn(file, args, { cwd: dir, env: roleEnv, stdio: ['ignore', out, out] }));
  };
  const close = async () => {
    for (const child of [...children].reverse()) child.kill('SIGTERM');
    await delay(300);
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const must = async (method: string, path: string, body: unknown, what: string) => {
    const answer = await plane.api(method, path, body);
    if (answer.status >= 300) throw new Error(`${what}: HTTP ${answer.status} ${answer.body.slice(0, 300)}`);
    return answer;
  };

  try {
    launch('redis', 'redis-server', ['--bind', '127.0.0.1', '--port', String(redisPort), '--save', '', '--appendonly', 'no']);
    for (const file of ['application-crd.yaml', 'appproject-crd.yaml']) {
      for (const document of parseAllDocuments(readFileSync(join(bin, file), 'utf8'))) {
        const crd: unknown = document.toJS();
        if (crd) await must('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd, `CRD ${file}`);
      }
    }
    await must('POST', '/api/v1/namespaces', { metadata: { name: NAMESPACE } }, 'namespace argocd');
    const password = randomBytes(18).toString('base64url');
    const hash = (await promisify(execFile)(argocd, ['account', 'bcrypt', '--password', password], { env })).stdout.trim();
    const configMaps = {
      'argocd-cm': { 'accounts.github-deploy': 'apiKey', 'admin.enabled': 'true' },
      // The deploy token may read Applications, as gitops-bump's wait needs, and nothing else.
      'argocd-rbac-cm': { 'policy.default': '', 'policy.csv': 'p, github-deploy, applications, get, default/*, allow\n' },
    };
    for (const [name, data] of Object.entries(configMaps)) {
      await must('POST', `/api/v1/namespaces/${NAMESPACE}/configmaps`, { metadata: { name, labels: PART_OF }, data }, name);
    }
    const secrets = {
      'argocd-secret': {
        labels: PART_OF,
        data: {
          'server.secretkey': randomBytes(32).toString('base64'),
          'admin.password': hash,
          'admin.passwordMtime': new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        },
      },
      'gitops-repository': {
        labels: { 'argocd.argoproj.io/secret-type': 'repository' },
        data: { type: 'git', ...options.repository },
      },
    };
    for (const [name, { labels, data }] of Object.entries(secrets)) {
      await must('POST', `/api/v1/namespaces/${NAMESPACE}/secrets`, { metadata: { name, labels }, stringData: data }, name);
    }
    await waitFor(
      async () => (await plane.api('GET', `/apis/argoproj.io/v1alpha1/namespaces/${NAMESPACE}/appprojects`)).status === 200,
      30_000,
      'the CRDs',
    );
    await must(
      'POST',
      `/apis/argoproj.io/v1alpha1/namespaces/${NAMESPACE}/appprojects`,
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AppProject',
        metadata: { name: 'default' },
        spec: {
          sourceRepos: ['*'],
          destinations: [{ server: 'https://kubernetes.default.svc', namespace: '*' }],
          clusterResourceWhitelist: [{ group: '*', kind: '*' }],
        },
      },
      'the default project',
    );

    const redis = ['--redis', `127.0.0.1:${redisPort}`];
    const repoServer = `127.0.0.1:${repoPort}`;
    launch(
      'repo-server',
      argocd,
      [
        ...redis,
        '--address',
        '127.0.0.1',
        '--port',
        String(repoPort),
        '--metrics-address',
        '127.0.0.1',
        '--metrics-port',
        String(repoMetrics),
        '--disable-tls',
        '--client-ca-path',
        '',
      ],
      'argocd-repo-server',
    );
    // What the controller and the API server both need: the cluster, redis and the repo server.
    const client = [
      ...redis,
      '--kubeconfig',
      plane.kubeconfig,
      '--namespace',
      NAMESPACE,
      '--repo-server',
      repoServer,
      '--repo-server-plaintext',
    ];
    launch(
      'application-controller',
      argocd,
      [...client, '--metrics-port', String(controllerMetrics)],
      'argocd-application-controller',
    );
    launch(
      'server',
      argocd,
      [
        ...client,
        '--insecure',
        '--address',
        '127.0.0.1',
        '--port',
        String(serverPort),
        '--metrics-address',
        '127.0.0.1',
        '--metrics-port',
        String(serverMetrics),
        '--staticassets',
        join(dir, 'home'),
      ],
      'argocd-server',
    );
    const api = async (method: string, path: string, token?: string, body?: unknown) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
      return { status: response.status, body: await response.text() };
    };
    await waitFor(async () => (await api('GET', '/healthz?full=true')).status === 200, 60_000, 'argocd-server');
    const session = await api('POST', '/api/v1/session', undefined, { username: 'admin', password });
    const admin = (JSON.parse(session.body) as { token?: string }).token ?? '';
    if (!admin) throw new Error(`the admin could not sign in: ${session.status} ${session.body}`);
    const made = await api('POST', '/api/v1/account/github-deploy/token', admin, { name: 'github-deploy', id: 'github-actions' });
    const token = (JSON.parse(made.body) as { token?: string }).token ?? '';
    if (!token) throw new Error(`no token for github-deploy: ${made.status} ${made.body}`);

    return {
      url,
      token,
      createApp: async (name, spec) => {
        await must(
          'POST',
          `/apis/argoproj.io/v1alpha1/namespaces/${NAMESPACE}/applications`,
          { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace: NAMESPACE }, spec },
          `Application ${name}`,
        );
      },
      app: async (name) => JSON.parse((await api('GET', `/api/v1/applications/${name}`, admin)).body) as ArgoAppView,
      startSeconds: (performance.now() - started) / 1000,
      logs,
      close,
    };
  } catch (error) {
    throw await failedStart(error, logs, close);
  }
}
