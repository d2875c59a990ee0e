// The GitOps repository Argo CD reads in the tests, as a platform team keeps it: the sample's
// own chart (examples/omis-sample/charts/product-configurator), and one values file per
// environment whose image digests CI sets. Ingress is off: no ingress controller runs here,
// and Argo CD would keep an Ingress with no load balancer Progressing for ever.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ArgoCd } from './argocd.js';

export const CHART = 'charts/product-configurator';
export const RELEASE = 'product-configurator';
const CHART_SOURCE = join(import.meta.dirname, '..', '..', 'examples', 'omis-sample', CHART);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/**
 * The repository's files: the chart, and `environments/<name>/values.yaml` for each
 * environment, with each service's image at `<registry>/omis-pc/<service>` and the digest
 * given (empty: CI has not set it yet).
 */
export function gitopsFiles(
  registry: string,
  environments: readonly string[],
  digests: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const files: Record<string, string> = {};
  for (const file of filesUnder(CHART_SOURCE)) files[join(CHART, relative(CHART_SOURCE, file))] = readFileSync(file, 'utf8');
  for (const environment of environments) {
    const services = ['frontend', 'backend', 'csvtomdb'].map(
      (service) =>
        `${service}:\n  replicas: 1\n  image:\n    repository: ${registry}/omis-pc/${service}\n    digest: "${digests[service] ?? ''}" # set by CI\n`,
    );
    files[`environments/${environment}/values.yaml`] =
      `# OMIS ${environment}, synced by Argo CD\n\ningress:\n  enabled: false\n\n${services.join('\n')}`;
  }
  return files;
}

/** The Application of one environment: the chart with that environment's values, synced on its own. */
export async function createEnvironmentApp(
  argo: ArgoCd,
  name: string,
  repoUrl: string,
  environment: string,
  namespace: string,
): Promise<void> {
  await argo.createApp(name, {
    project: 'default',
    source: {
      repoURL: repoUrl,
      targetRevision: 'main',
      path: CHART,
      helm: { releaseName: RELEASE, valueFiles: [`../../environments/${environment}/values.yaml`] },
    },
    destination: { server: 'https://kubernetes.default.svc', namespace },
    syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
  });
}
