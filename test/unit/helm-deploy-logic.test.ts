// helm-deploy's pure parts: the flags each major gets, the history rules, the pending check,
// the Secret redaction and the manifest diff. No process, no cluster.
import { describe, expect, it } from 'vitest';
import { credentialPath } from '../../actions/helm-deploy/aks.js';
import { readHelmVersion, type UpgradeSettings } from '../../actions/helm-deploy/config.js';
import { dryRunManifest } from '../../actions/helm-deploy/deploy.js';
import { rollbackFlags, upgradeFlags, waitFlags } from '../../actions/helm-deploy/flags.js';
import { helmErrorLine } from '../../actions/helm-deploy/helm-cli.js';
import { majorOfVersion } from '../../actions/helm-deploy/helm-version.js';
import {
  ageMs,
  type HistoryEntry,
  lastGood,
  parseHistory,
  pendingRevision,
  previousGood,
} from '../../actions/helm-deploy/history.js';
import { REDACTED, redactManifest, unifiedDiff } from '../../actions/helm-deploy/manifest-diff.js';

const SETTINGS: UpgradeSettings = {
  chart: '/w/chart',
  chartVersion: undefined,
  repo: undefined,
  valuesFiles: ['/w/env/values.yaml'],
  set: ['backend.image.tag=abc'],
  setString: [],
  valuesStrategy: 'reset-then-reuse',
  createNamespace: false,
  wait: 'true',
  waitForJobs: false,
  rollbackOnFailure: true,
  cleanupOnFail: true,
  serverSide: 'auto',
  dependencyBuild: false,
  registryLogins: [],
  registryIdentity: undefined,
};
const OPTIONS = { timeoutMs: 300_000, historyMax: 10, dryRun: false };

describe('flags per major', () => {
  it.each([
    ['true', 4, ['--wait=watcher']],
    ['watcher', 4, ['--wait=watcher']],
    ['legacy', 4, ['--wait=legacy']],
    ['false', 4, []],
    ['hookOnly', 4, []],
    ['true', 3, ['--wait']],
    ['watcher', 3, ['--wait']],
    ['legacy', 3, ['--wait']],
    ['false', 3, []],
    ['hookOnly', 3, []],
  ] as const)('wait %s on Helm %i gives %j', (wait, major, flags) => {
    expect(waitFlags(wait, major)).toEqual(flags);
  });

  it('Helm 4 upgrades with --rollback-on-failure and its server-side choice; Helm 3 with --atomic and none', () => {
    const four = upgradeFlags({ ...SETTINGS, serverSide: 'true' }, { ...OPTIONS, major: 4 });
    expect(four).toEqual([
      '--install',
      '--values',
      '/w/env/values.yaml',
      '--set',
      'backend.image.tag=abc',
      '--reset-then-reuse-values',
      '--wait=watcher',
      '--timeout',
      '300s',
      '--rollback-on-failure',
      '--cleanup-on-fail',
      '--history-max',
      '10',
      '--server-side=true',
    ]);
    const three = upgradeFlags({ ...SETTINGS, serverSide: 'true' }, { ...OPTIONS, major: 3 });
    expect(three).toContain('--atomic');
    expect(three).toContain('--wait');
    expect(three.some((flag) => flag.startsWith('--server-side') || flag === '--rollback-on-failure')).toBe(false);
  });

  it('never turns a wait on by itself: no wait, no rollback-on-failure, no --wait-for-jobs', () => {
    const flags = upgradeFlags(
      { ...SETTINGS, wait: 'false', rollbackOnFailure: false, waitForJobs: true },
      { ...OPTIONS, major: 4 },
    );
    expect(flags.filter((flag) => /wait|atomic|rollback/.test(flag))).toEqual([]);
  });

  it('a dry run is a server dry run, with nothing that would roll back or clean up', () => {
    const flags = upgradeFlags(SETTINGS, { ...OPTIONS, major: 4, dryRun: true });
    expect(flags).toContain('--dry-run=server');
    expect(flags).not.toContain('--rollback-on-failure');
    expect(flags).not.toContain('--cleanup-on-fail');
    expect(rollbackFlags({ major: 3, timeoutMs: 60_000, historyMax: 5, wait: 'true', dryRun: true })).toEqual([
      '--wait',
      '--timeout',
      '60s',
      '--cleanup-on-fail',
      '--history-max',
      '5',
      '--dry-run',
    ]);
  });

  it('maps the values strategies to their flags', () => {
    expect(upgradeFlags({ ...SETTINGS, valuesStrategy: 'reset' }, { ...OPTIONS, major: 4 })).toContain('--reset-values');
    expect(upgradeFlags({ ...SETTINGS, valuesStrategy: 'reuse' }, { ...OPTIONS, major: 4 })).toContain('--reuse-values');
  });
});

describe('history', () => {
  const entry = (revision: number, status: string, updated = '2026-11-23T08:00:00Z'): HistoryEntry => ({
    revision,
    status,
    updated,
    chart: 'pc-1.0.0',
    app_version: '1.0.0',
    description: '',
  });

  it('parses helm history -o json and sorts by revision', () => {
    const parsed = parseHistory([
      { revision: 2, updated: 'x', status: 'deployed', chart: 'c', app_version: 'a', description: 'Upgrade complete' },
      { revision: 1, updated: 'x', status: 'superseded', chart: 'c', app_version: 'a', description: 'Install complete' },
    ]);
    expect(parsed.map((item) => item.revision)).toEqual([1, 2]);
  });

  it('previous is the newest deployed or superseded revision before the current, never a failed one', () => {
    const history = [entry(1, 'superseded'), entry(2, 'superseded'), entry(3, 'failed'), entry(4, 'deployed')];
    expect(previousGood(history)?.revision).toBe(2);
    expect(previousGood([entry(1, 'failed'), entry(2, 'deployed')])).toBeUndefined();
    expect(lastGood([entry(1, 'superseded'), entry(2, 'failed'), entry(3, 'pending-upgrade')])?.revision).toBe(1);
  });

  it('finds a pending last revision and its age', () => {
    const pending = pendingRevision([entry(1, 'deployed'), entry(2, 'pending-rollback', '2026-11-23T08:00:00.5Z')]);
    expect(pending?.status).toBe('pending-rollback');
    expect(ageMs(pending!, Date.parse('2026-11-23T08:01:00Z'))).toBe(59_500);
    expect(pendingRevision([entry(1, 'pending-upgrade'), entry(2, 'deployed')])).toBeUndefined();
    expect(ageMs(entry(1, 'pending-install', 'not a time'), Date.now())).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('manifests in the summary', () => {
  const manifest = [
    '---',
    '# Source: pc/templates/secret.yaml',
    'apiVersion: v1',
    'kind: Secret',
    'metadata: {name: db}',
    'data:',
    '  password: c2VjcmV0LXZhbHVl',
    'stringData:',
    '  token: plain-token-value',
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: web}',
    'spec: {replicas: 2}',
    '',
  ].join('\n');

  it('replaces every Secret value, and only those', async () => {
    const redacted = await redactManifest(manifest);
    expect(redacted).not.toContain('c2VjcmV0LXZhbHVl');
    expect(redacted).not.toContain('plain-token-value');
    expect(redacted.match(new RegExp(REDACTED.replace(/[()]/g, '\\$&'), 'g'))).toHaveLength(2);
    expect(redacted).toContain('replicas: 2');
  });

  it('diffs two manifests with context and line numbers', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].join('\n');
    const after = ['a', 'b', 'c', 'd', 'E', 'f', 'g', 'h'].join('\n');
    expect(unifiedDiff(before, after, ['revision 1', 'revision 2'])).toBe(
      ['--- revision 1', '+++ revision 2', '@@ -2,7 +2,7 @@', ' b', ' c', ' d', '-e', '+E', ' f', ' g', ' h'].join('\n'),
    );
    expect(unifiedDiff(before, before, ['a', 'b'])).toBe('');
  });

  it('takes the manifest out of a dry run', () => {
    const stdout = 'NAME: web\nSTATUS: pending-upgrade\nHOOKS:\nMANIFEST:\n---\nkind: Service\nNOTES:\nhello\n';
    expect(dryRunManifest(stdout)).toBe('---\nkind: Service\n');
  });
});

describe('helm and AKS details', () => {
  it("quotes Helm's own error line", () => {
    expect(helmErrorLine({ stdout: '', stderr: 'W1123 warning\nError: UPGRADE FAILED: context deadline exceeded\n' })).toBe(
      'Error: UPGRADE FAILED: context deadline exceeded',
    );
  });

  it('reads helm-version requests and majors', () => {
    expect(readHelmVersion('3')).toEqual({ kind: 'major', major: 3 });
    expect(readHelmVersion('v4.3.1')).toEqual({ kind: 'exact', version: '4.3.1' });
    expect(readHelmVersion('system')).toEqual({ kind: 'system' });
    expect(() => readHelmVersion('5.0.0')).toThrow(/helm-version/);
    expect(majorOfVersion('v3.22.0+gabc')).toBe(3);
    expect(() => majorOfVersion('v2.17.0')).toThrow(/neither Helm 3 nor Helm 4/);
  });

  it('asks ARM for user credentials in exec format, admin ones without a format', () => {
    const aks = {
      clientId: 'c',
      tenantId: 't',
      subscriptionId: 's',
      resourceGroup: 'rg (x)',
      clusterName: 'aks',
      admin: false,
      authorityHost: 'https://login',
      armEndpoint: 'https://arm',
    };
    expect(credentialPath(aks)).toBe(
      '/subscriptions/s/resourceGroups/rg%20(x)/providers/Microsoft.ContainerService/managedClusters/aks/listClusterUserCredential?api-version=2025-10-01&format=exec',
    );
    expect(credentialPath({ ...aks, admin: true })).toMatch(/\/listClusterAdminCredential\?api-version=2025-10-01$/);
  });
});
