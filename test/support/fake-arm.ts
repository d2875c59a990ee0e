// A fake of Azure Resource Manager's managedClusters credential calls, over HTTPS, beside the
// fake Entra (test/support/fake-entra.ts), whose certificate it shares. It follows the REST
// reference of "Managed Clusters - List Cluster User Credentials" (read with the search
// tool): POST .../managedClusters/{name}/listClusterUserCredential (or
// listClusterAdminCredential) with api-version and, for Entra clusters, format; the answer
// is CredentialResults, `{ kubeconfigs: [{ name, value }] }` with the kubeconfig in base64.
// The bearer token must be one Entra minted for ARM's own scope (its audience).
import { createServer as createHttpsServer } from 'node:https';
import type { FakeEntra } from './fake-entra.js';
import { closeServer, listen, send } from './fake-entra.js';

export interface ArmCall {
  operation: 'listClusterUserCredential' | 'listClusterAdminCredential';
  subscription: string;
  resourceGroup: string;
  cluster: string;
  query: Record<string, string>;
}

export interface FakeArm {
  endpoint: string;
  calls: ArmCall[];
  /** Requests refused for a token minted for another audience (or none). */
  refused: () => number;
  close: () => Promise<void>;
}

const PATH =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerService\/managedClusters\/([^/]+)\/(listClusterUserCredential|listClusterAdminCredential)$/;

/** `kubeconfigFor` gives the kubeconfig text for a call (the test control plane's, or an Entra one). */
export async function startFakeArm(entra: FakeEntra, kubeconfigFor: (call: ArmCall) => string): Promise<FakeArm> {
  const calls: ArmCall[] = [];
  let refused = 0;
  let endpoint = '';
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
  return { endpoint, calls, refused: () => refused, close: () => closeServer(server) };
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
