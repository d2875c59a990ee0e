import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { isGuid, isResourceGroup } from '../../packages/shared/azure-auth.js';
import { InputError } from '../../packages/shared/errors.js';
import { isTag } from '../../packages/shared/image-ref.js';
import { type Inputs, isSecureOrLoopback } from '../../packages/shared/inputs.js';
import { readAzureEndpoints } from '../../packages/shared/azure-cloud.js';
import { confinedPath, workspaceDir } from '../../packages/shared/paths.js';
import { readServiceList } from '../../packages/shared/service-name.js';
import { OCI_REF, type RegistryAccess, readRegistryAccess } from './registry-access.js';

/**
 * The Helm this action installs when `helm-version` is not given: a current Helm 4, pinned
 * so a new major or minor never arrives unannounced (azure/setup-helm's `latest` moved to
 * Helm 4 under its users). No sha256 for this release could be found in a published,
 * independent place, so the checksum comes from `.sha256sum` beside the tarball: it catches
 * a corrupted download, not a compromised host (the README says so).
 */
export const HELM_DEFAULT_VERSION = '4.3.1';

/** The defaults of helm-deploy/action.yml; test/unit/action-metadata.test.ts keeps them equal. */
export const DEFAULTS = {
  action: 'upgrade',
  namespace: 'default',
  'create-namespace': 'false',
  'values-strategy': 'reset-then-reuse',
  'image-set': '{service}.image.tag={tag}',
  wait: 'true',
  'wait-for-jobs': 'false',
  timeout: '5m',
  'rollback-on-failure': 'true',
  'cleanup-on-fail': 'true',
  'history-max': '10',
  'server-side': 'auto',
  'pending-release': 'recover',
  revision: 'previous',
  'helm-version': HELM_DEFAULT_VERSION,
  'helm-download-url': 'https://get.helm.sh',
  admin: 'false',
  'azure-cloud': 'AzureCloud',
  'authority-host': '',
  'arm-endpoint': '',
  'dry-run': 'false',
  'dependency-build': 'false',
  'registry-login': 'auto',
  'private-cluster': 'auto',
} as const;

export type HelmAction = 'upgrade' | 'rollback' | 'status';
export type ValuesStrategy = 'reset' | 'reuse' | 'reset-then-reuse';
export type WaitMode = 'true' | 'false' | 'watcher' | 'legacy' | 'hookOnly';
export type PendingPolicy = 'recover' | 'wait' | 'fail';

/** Which Helm: a major (newest published), an exact version, or the one on PATH. */
export type HelmVersionRequest = { kind: 'major'; major: 3 | 4 } | { kind: 'exact'; version: string } | { kind: 'system' };

export interface AksTarget {
  clientId: string;
  tenantId: string;
  subscriptionId: string;
  resourceGroup: string;
  clusterName: string;
  admin: boolean;
  authorityHost: string;
  armEndpoint: string;
}

/** Where the cluster's credentials come from, in the order the inputs say. */
export type ClusterAccess = { kind: 'kubeconfig'; path: string; from: 'input' | 'env' } | { kind: 'aks'; aks: AksTarget };

export interface UpgradeSettings extends RegistryAccess {
  chart: string;
  chartVersion: string | undefined;
  repo: string | undefined;
  valuesFiles: string[];
  set: string[];
  setString: string[];
  valuesStrategy: ValuesStrategy;
  createNamespace: boolean;
  wait: WaitMode;
  waitForJobs: boolean;
  rollbackOnFailure: boolean;
  cleanupOnFail: boolean;
  serverSide: 'auto' | 'true' | 'false';
}

export interface HelmDeployConfig {
  action: HelmAction;
  release: string;
  namespace: string;
  /** Only for action upgrade. */
  upgrade: UpgradeSettings | undefined;
  /** For upgrade and rollback alike. */
  wait: WaitMode;
  timeoutMs: number;
  historyMax: number;
  pending: PendingPolicy;
  pendingGraceMs: number;
  /** Rollback target: a revision number, or the newest good one before the current. */
  revision: number | 'previous';
  helm: HelmVersionRequest;
  downloadUrl: string;
  access: ClusterAccess;
  /** AKS only: helm runs inside the cluster through ARM's run command (auto: when its API server is private). */
  privateCluster: 'auto' | 'true' | 'false';
  dryRun: boolean;
}

/** Kubernetes names: DNS-1123 labels. Helm caps release names at 53 characters. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A values path as --set takes it (`backend.image.tag`, `list[0].name`, `a\.b`). */
const VALUE_PATH = /^[A-Za-z0-9_][A-Za-z0-9_.\\/[\]-]*$/;
const CHART_VERSION = /^[A-Za-z0-9^~<>=!*.,| +-]{1,100}$/;
const REPO_CHART = /^[a-z0-9][a-z0-9._-]*(?:\/[a-z0-9][a-z0-9._-]*)?$/;
/** ARM's pattern for a managed cluster name. */
const CLUSTER_NAME = /^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$/;
/** `3.22.0` or `v4.3.1`: what get.helm.sh publishes. */
const EXACT_VERSION = /^v?([34])\.\d{1,3}\.\d{1,3}$/;

/** Parses every input before anything is downloaded, requested or run. */
export function readConfig(inputs: Inputs): HelmDeployConfig {
  const action = inputs.choice('action', ['upgrade', 'rollback', 'status'], 'upgrade');
  const release = inputs.required('release');
  if (release.length > 53 || !DNS_LABEL.test(release)) {
    throw new InputError(
      'release',
      `must be a DNS-1123 label of at most 53 characters (lower-case letters, digits, '-'); got "${release}"`,
    );
  }
  const namespace = inputs.raw('namespace');
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) {
    throw new InputError('namespace', `must be a DNS-1123 label of at most 63 characters; got "${namespace}"`);
  }
  const timeoutMs = inputs.duration('timeout', { minMs: 1000, maxMs: 6 * 3_600_000 }) ?? 300_000;
  const historyMax = inputs.integer('history-max', { min: 0, max: 1000 }) ?? 10;
  const pending = inputs.choice('pending-release', ['recover', 'wait', 'fail'], 'recover');
  // Helm stamps `updated` when an operation starts, and another run may wait on it for its
  // whole timeout: a grace shorter than that would roll back a live deploy.
  const pendingGraceMs = inputs.duration('pending-grace', { minMs: 0, maxMs: 6 * 3_600_000 }) ?? timeoutMs + 60_000;
  const revisionText = inputs.raw('revision');
  let revision: number | 'previous' = 'previous';
  if (revisionText !== 'previous') {
    if (!/^[1-9][0-9]{0,8}$/.test(revisionText)) {
      throw new InputError('revision', `must be a revision number or "previous"; got "${revisionText}"`);
    }
    revision = Number(revisionText);
  }
  const wait = inputs.choice('wait', ['true', 'false', 'watcher', 'legacy', 'hookOnly'], 'true');
  const upgrade = action === 'upgrade' ? readUpgrade(inputs, wait) : undefined;
  const helm = readHelmVersion(inputs.raw('helm-version'));
  const download = inputs.url('helm-download-url');
  if (download === undefined || !isSecureOrLoopback(download)) {
    throw new InputError('helm-download-url', 'must be an https:// URL (http only on 127.0.0.1, for tests)');
  }
  if (download.username || download.password || download.search) {
    throw new InputError('helm-download-url', 'must be a plain base URL, with no credentials and no query');
  }
  return {
    action,
    release,
    namespace,
    upgrade,
    wait,
    timeoutMs,
    historyMax,
    pending,
    pendingGraceMs,
    revision,
    helm,
    downloadUrl: download.href.replace(/\/+$/, ''),
    ...readClusterAccess(inputs),
    dryRun: inputs.boolean('dry-run', false),
  };
}

function readUpgrade(inputs: Inputs, wait: WaitMode): UpgradeSettings {
  const chartText = inputs.string('chart');
  if (chartText === undefined) {
    throw new InputError('chart', 'is required for action upgrade: a chart folder in the workspace, oci://..., or repo/name');
  }
  const repoUrl = inputs.url('repo');
  if (repoUrl && !isSecureOrLoopback(repoUrl)) {
    throw new InputError('repo', 'must be an https:// chart repository URL (http only on 127.0.0.1, for tests)');
  }
  const chart = readChart(chartText, repoUrl !== undefined);
  const chartVersion = inputs.string('chart-version');
  if (chartVersion !== undefined && !CHART_VERSION.test(chartVersion)) {
    throw new InputError('chart-version', `must be a version or a version range such as 1.2.3 or ^1.2; got "${chartVersion}"`);
  }
  const valuesFiles = inputs.lines('values-files').map((file) => confinedPath('values-files', file, { mustExist: true }));
  const environmentValues = readEnvironmentValues(inputs, chart, valuesFiles.length > 0);
  const set = [...readAssignments(inputs, 'set'), ...readImageSet(inputs)];
  const setString = readAssignments(inputs, 'set-string');
  const rollbackOnFailure = inputs.boolean('rollback-on-failure', true);
  if ((wait === 'false' || wait === 'hookOnly') && rollbackOnFailure) {
    throw new InputError(
      'wait',
      `is "${wait}" while rollback-on-failure is true, and Helm would wait anyway: set wait to true, watcher or legacy, or rollback-on-failure to false`,
    );
  }
  return {
    chart,
    chartVersion,
    repo: repoUrl?.href,
    valuesFiles: environmentValues ? [environmentValues] : valuesFiles,
    set,
    setString,
    valuesStrategy: inputs.choice('values-strategy', ['reset', 'reuse', 'reset-then-reuse'], 'reset-then-reuse'),
    createNamespace: inputs.boolean('create-namespace', false),
    wait,
    waitForJobs: inputs.boolean('wait-for-jobs', false),
    rollbackOnFailure,
    cleanupOnFail: inputs.boolean('cleanup-on-fail', true),
    serverSide: inputs.choice('server-side', ['auto', 'true', 'false'], 'auto'),
    ...readRegistryAccess(inputs, chart),
  };
}

/**
 * A chart is a folder (or .tgz) inside the workspace, an `oci://` reference, or a chart
 * name: with `repo`, or `repo/name` from a repository the job added. A two-part name that
 * is a folder in the workspace is that folder, as Helm takes it.
 */
function readChart(chart: string, withRepo: boolean): string {
  if (chart.startsWith('oci://')) {
    if (!OCI_REF.test(chart)) throw new InputError('chart', `must be an oci://registry/path reference; got "${chart}"`);
    return chart;
  }
  const isName = REPO_CHART.test(chart) && !existsSync(resolve(workspaceDir(), chart));
  if (!isName) {
    const path = confinedPath('chart', chart, { mustExist: true });
    if (!existsSync(join(path, 'Chart.yaml')) && !path.endsWith('.tgz')) {
      throw new InputError('chart', `names ${chart}, which holds no Chart.yaml`);
    }
    return path;
  }
  if (withRepo && chart.includes('/')) {
    throw new InputError('chart', `must be a bare chart name when repo is given; got "${chart}"`);
  }
  return chart;
}

const IMAGE_SET = /^[A-Za-z0-9_{][A-Za-z0-9_.{}-]*=[A-Za-z0-9_.:/{}-]+$/;

/**
 * `image-set` for each of `image-services`, `{service}` and `{tag}` replaced: the new tag of
 * each service a release rebuilt, while the others keep what they run (reset-then-reuse).
 */
function readImageSet(inputs: Inputs): string[] {
  const services = readServiceList(inputs, 'image-services');
  if (services === undefined) return [];
  const template = inputs.string('image-set') ?? '{service}.image.tag={tag}';
  if (!IMAGE_SET.test(template) || !template.includes('{tag}')) {
    throw new InputError(
      'image-set',
      `must be one path=value line holding {tag}, e.g. {service}.image.tag={tag}; got "${template}"`,
    );
  }
  const tag = inputs.string('image-tag');
  if (tag === undefined || !isTag(tag)) {
    throw new InputError('image-tag', 'must be an image tag (letters, digits, _ . -, at most 128) when image-services is given');
  }
  return [...services].map((service) => {
    const line = template.replaceAll('{service}', service).replaceAll('{tag}', tag);
    if (!VALUE_PATH.test(line.slice(0, line.indexOf('=')))) {
      throw new InputError('image-set', `gives "${line}" for ${service}, whose path is not a values path`);
    }
    return line;
  });
}

/**
 * With `environment` and no values-files: the chart's `environments/<environment>/values.yaml`
 * when it exists, the layout the option workflows document.
 */
function readEnvironmentValues(inputs: Inputs, chart: string, given: boolean): string | undefined {
  const environment = inputs.string('environment');
  if (environment === undefined) return undefined;
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(environment) || /^\.\.?$/.test(environment)) {
    throw new InputError('environment', 'must be an environment name (letters, digits, . _ -)');
  }
  if (given || chart.startsWith('oci://') || !isAbsolute(chart)) return undefined;
  const file = join(chart, 'environments', environment, 'values.yaml');
  return existsSync(file) ? confinedPath('environment', file, { mustExist: true }) : undefined;
}

/** `path=value` lines: one assignment per line, the path checked, the value Helm's. */
function readAssignments(inputs: Inputs, name: 'set' | 'set-string'): string[] {
  return inputs.lines(name).map((line) => {
    const at = line.indexOf('=');
    const path = at > 0 ? line.slice(0, at) : '';
    if (!VALUE_PATH.test(path)) {
      throw new InputError(name, `must be lines of path=value (a values path such as backend.image.tag); got "${line}"`);
    }
    return line;
  });
}

export function readHelmVersion(text: string): HelmVersionRequest {
  if (text === 'system') return { kind: 'system' };
  if (text === '3' || text === '4') return { kind: 'major', major: Number(text) as 3 | 4 };
  const exact = EXACT_VERSION.exec(text);
  if (exact) return { kind: 'exact', version: text.replace(/^v/, '') };
  throw new InputError('helm-version', `must be 3, 4, an exact version such as 4.3.1 or 3.22.0, or system; got "${text}"`);
}

/** The major a request names, when it names one before anything is installed. */
export function majorOf(request: HelmVersionRequest): 3 | 4 | undefined {
  if (request.kind === 'major') return request.major;
  if (request.kind === 'exact') return request.version.startsWith('3.') ? 3 : 4;
  return undefined;
}

function readClusterAccess(inputs: Inputs): Pick<HelmDeployConfig, 'access' | 'privateCluster'> {
  const access = readAccess(inputs);
  const privateCluster = inputs.choice('private-cluster', ['auto', 'true', 'false'], 'auto');
  if (privateCluster === 'true' && access.kind !== 'aks') {
    throw new InputError(
      'private-cluster',
      'is true, which needs the AKS cluster (cluster-name and its OIDC inputs), not a kubeconfig',
    );
  }
  return { access, privateCluster };
}

function readAccess(inputs: Inputs): ClusterAccess {
  const kubeconfig = inputs.string('kubeconfig');
  const clusterName = inputs.string('cluster-name');
  if (kubeconfig !== undefined) {
    if (clusterName !== undefined) {
      throw new InputError('kubeconfig', 'and cluster-name were both given: use one way to reach the cluster');
    }
    return { kind: 'kubeconfig', path: confinedPath('kubeconfig', kubeconfig, { mustExist: true }), from: 'input' };
  }
  if (clusterName === undefined) {
    const fromEnv = process.env.KUBECONFIG;
    if (fromEnv) return { kind: 'kubeconfig', path: fromEnv, from: 'env' };
    throw new InputError(
      'cluster-name',
      'is required when neither kubeconfig nor $KUBECONFIG is set: the AKS cluster, with client-id, tenant-id, subscription-id and resource-group',
    );
  }
  if (!CLUSTER_NAME.test(clusterName)) {
    throw new InputError('cluster-name', `must be an AKS cluster name (letters, digits, '-', '_'); got "${clusterName}"`);
  }
  const guid = (name: string): string => {
    const value = inputs.string(name);
    if (value === undefined || !isGuid(value)) throw new InputError(name, 'must be a GUID for AKS through OIDC');
    return value;
  };
  const clientId = guid('client-id');
  const tenantId = guid('tenant-id');
  const subscriptionId = guid('subscription-id');
  const resourceGroup = inputs.string('resource-group');
  if (resourceGroup === undefined || !isResourceGroup(resourceGroup)) {
    throw new InputError('resource-group', `must be a resource group name; got "${resourceGroup ?? ''}"`);
  }
  return {
    kind: 'aks',
    aks: {
      clientId,
      tenantId,
      subscriptionId,
      resourceGroup,
      clusterName,
      admin: inputs.boolean('admin', false),
      ...readAzureEndpoints(inputs),
    },
  };
}
