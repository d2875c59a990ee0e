// The workflow rules actionlint cannot see, checked on every workflow (the library's own and
// the examples'), and the rollback's input check run as the runner runs it (bash).
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workflowFiles } from '../../scripts/actions.mjs';
import { runStep } from '../support/workflow-step.js';

const ROOT = join(import.meta.dirname, '..', '..');

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean | undefined>;
  env?: Record<string, string>;
}
interface Job {
  uses?: string;
  permissions?: string | Record<string, string>;
  with?: Record<string, string | number | boolean | undefined>;
  environment?: string | { name?: string; url?: string };
  concurrency?: string | { group?: string };
  steps?: Step[];
}
interface Workflow {
  permissions?: string | Record<string, string>;
  on?: Record<string, { inputs?: Record<string, { type?: string }> } | null>;
  concurrency?: string | { group?: string };
  jobs: Record<string, Job>;
}

const files = workflowFiles(ROOT);
const workflows = files.map((file) => ({
  path: relative(ROOT, file),
  example: relative(ROOT, file).startsWith('examples'),
  doc: parse(readFileSync(file, 'utf8')) as Workflow,
}));

const OWN = /^org\/deploy-actions\/(.+)@/;
const actionOf = (step: Step): string | undefined => OWN.exec(step.uses ?? '')?.[1];

/** What a step changes in an environment, if anything. */
function changes(step: Step): string | undefined {
  const action = actionOf(step);
  const inputs = step.with ?? {};
  if (action === 'acr-push') {
    if (inputs.promote !== undefined) return 'promotes a tag';
    const tags = String(inputs.tags ?? '')
      .split(/[\n,]/)
      .map((tag) => tag.trim())
      .filter(Boolean);
    if (tags.length === 0 || tags.some((tag) => tag !== '${{ github.sha }}')) return 'pushes a non-SHA tag';
  }
  if (action === 'watchtower-config' && ['apply', 'trigger'].includes(String(inputs.mode))) return 'deploys';
  if (action === 'gitops-bump') return inputs.revert !== undefined ? 'rolls back' : 'deploys';
  if (action === 'helm-deploy' || action === 'slot-swap') return 'deploys';
  if (action === 'health-gate') return 'gates';
  return undefined;
}

const groupOf = (value: Job['concurrency'] | Workflow['concurrency']): string | undefined =>
  typeof value === 'string' ? value : value?.group;

describe.each(workflows)('$path', ({ path, example, doc }) => {
  it('binds every job that deploys, promotes, gates or rolls back to an environment with a name and a url', () => {
    const unbound: string[] = [];
    for (const [name, job] of Object.entries(doc.jobs)) {
      for (const step of job.steps ?? []) {
        const what = changes(step);
        const env = job.environment;
        if (what && (typeof env !== 'object' || !env.name || !env.url)) unbound.push(`${name} ${what} (${step.uses ?? ''})`);
      }
    }
    expect(unbound).toEqual([]);
  });

  it('runs every environment-changing job in the deploy-actions-<its environment> group', () => {
    if (example) return;
    for (const [name, job] of Object.entries(doc.jobs)) {
      if (job.environment === undefined) continue;
      const environment = typeof job.environment === 'string' ? job.environment : (job.environment.name ?? '');
      expect(environment, name).toMatch(/^\$\{\{ (inputs\.environment|needs\.changes\.outputs\.slot-environment) \}\}$/);
      expect(groupOf(job.concurrency), name).toBe(`deploy-actions-${environment}`);
    }
  });

  it('offers dispatch inputs that pick an environment, an option or a method only as choices', () => {
    const inputs = doc.on?.workflow_dispatch?.inputs ?? {};
    for (const [name, input] of Object.entries(inputs)) {
      if (name === 'environment') expect(input.type, name).toBe('environment');
      if (name === 'option' || /-(method|mode)$/.test(name)) expect(input.type, name).toBe('choice');
    }
  });

  it('takes free text at dispatch only as the reason and the target, which the workflow validates', () => {
    // Whoever dispatches picks from what the environment offers; only these two are typed in.
    const inputs = doc.on?.workflow_dispatch?.inputs ?? {};
    const free = Object.entries(inputs)
      .filter(([, input]) => !['environment', 'choice', 'boolean'].includes(input.type ?? 'string'))
      .map(([name]) => name);
    expect(free.filter((name) => name !== 'reason' && name !== 'target')).toEqual([]);
  });

  it('puts no ${{ }} inside run:', () => {
    for (const [name, job] of Object.entries(doc.jobs)) {
      for (const step of job.steps ?? [])
        if (step.run) expect(step.run, `${name}: ${step.run.slice(0, 60)}`).not.toContain('${{');
    }
  });

  it('lets a job that can mint an ID token without an environment run no scripts', () => {
    const scripted: string[] = [];
    for (const [name, job] of Object.entries(doc.jobs)) {
      const permissions = job.permissions ?? doc.permissions;
      const mints = permissions === 'write-all' || (typeof permissions === 'object' && permissions['id-token'] === 'write');
      if (!mints || job.environment !== undefined || job.uses !== undefined) continue;
      for (const step of job.steps ?? []) if (step.run !== undefined) scripted.push(`${name}: ${step.run.slice(0, 40)}`);
    }
    expect(scripted).toEqual([]);
  });

  it('signs in as the registry-push identity outside environments, and as the environment’s own inside them', () => {
    const wrong: string[] = [];
    for (const [name, job] of Object.entries(doc.jobs)) {
      const bound = job.environment !== undefined;
      for (const step of job.steps ?? []) {
        const client = String(step.with?.['client-id'] ?? '');
        if (!client) continue;
        // Outside an environment only the push identity; inside, never the push identity.
        if (!bound && client !== '${{ inputs.registry-client-id }}') wrong.push(`${name} (no environment) signs in as ${client}`);
        if (bound && client.includes('registry-client-id')) wrong.push(`${name} (environment) signs in as ${client}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('pins every third-party action by commit SHA', () => {
    for (const job of Object.values(doc.jobs)) {
      for (const uses of [job.uses, ...(job.steps ?? []).map((step) => step.uses)]) {
        if (!uses || uses.startsWith('./') || OWN.test(uses) || uses.startsWith('docker://')) continue;
        expect(uses, path).toMatch(/@[0-9a-f]{40}$/);
      }
    }
  });
});

describe('the sample, copied as it is', () => {
  it('deploys to a different environment from each push-triggered caller, so none cancels another', () => {
    // GitHub keeps one pending job per concurrency group (deploy-actions-<environment>).
    const seen = new Map<string, string>();
    const clashes: string[] = [];
    for (const { path, example, doc } of workflows) {
      if (!example || doc.on?.push === undefined) continue;
      for (const [name, job] of Object.entries(doc.jobs)) {
        const environment = job.uses === undefined ? undefined : job.with?.environment;
        if (typeof environment !== 'string') continue;
        const other = seen.get(environment);
        if (other !== undefined) clashes.push(`${environment}: ${other} and ${path} (${name})`);
        seen.set(environment, `${path} (${name})`);
      }
    }
    expect(clashes).toEqual([]);
    expect(seen.size).toBeGreaterThanOrEqual(4);
  });
});

describe('concurrency groups', () => {
  it("of the example callers never equal the reusable workflows' groups", () => {
    const library = new Set<string>();
    const callers: string[] = [];
    for (const { example, doc } of workflows) {
      const groups = [groupOf(doc.concurrency), ...Object.values(doc.jobs).map((job) => groupOf(job.concurrency))].filter(
        (group): group is string => group !== undefined,
      );
      if (example) callers.push(...groups);
      else for (const group of groups) library.add(group);
    }
    expect(callers.length).toBeGreaterThan(0);
    for (const group of callers) {
      expect(library.has(group), group).toBe(false);
      expect(group.startsWith('deploy-actions-'), group).toBe(false);
    }
  });
});

const GUID = `${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}`;

describe("rollback.yml's first step", () => {
  const good = { OPTION: 'd', ENVIRONMENT: 'production', DEPLOY_METHOD: 'ssh', GITOPS_MODE: 'push', SSH_PORT: '22' };

  it('fails with one line naming the input for a bad method, and nothing else runs', () => {
    const result = runStep('rollback.yml', 'validate', 'validate', { ...good, DEPLOY_METHOD: 'sftp' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`::error::input 'deploy-method' must be ssh or watchtower; got "sftp"\n`);
    // Every other job needs this one, so it is the only job that ran.
    const doc = parse(readFileSync(join(ROOT, '.github', 'workflows', 'rollback.yml'), 'utf8')) as {
      jobs: Record<string, { needs?: string | string[] }>;
    };
    for (const [name, job] of Object.entries(doc.jobs)) {
      if (name !== 'validate') expect([job.needs ?? []].flat(), name).toContain('validate');
    }
  });

  it.each([
    [{ OPTION: 'x' }, `::error::input 'option' must be a, c, d or e; got "x"`],
    [{ OPTION: 'e', WEBAPP: 'sub/rg/app' }, `::error::input 'webapp' must be subscription-id/resource-group/app-name`],
    [
      { OPTION: 'e', WEBAPP: `${GUID}/omis-rg/omis-web`, SLOT: 'production' },
      `::error::input 'slot' must be a deployment slot name other than production`,
    ],
    [
      { OPTION: 'e', WEBAPP: `${GUID}/omis-rg/omis-web`, SLOT: 'staging', HEALTH_PATH: '/', TARGET: 'abc' },
      `::error::input 'target' is not used by option e: the slot holds the release to go back to`,
    ],
    [
      { OPTION: 'c', HELM_RELEASE: 'omis/Bad_Release' },
      `::error::input 'helm-release' must be namespace/release (DNS-1123 labels)`,
    ],
    [
      { OPTION: 'c', HELM_RELEASE: 'omis/pc', AKS_CLUSTER: 'sub/rg' },
      `::error::input 'aks-cluster' must be subscription-id/resource-group/cluster-name`,
    ],
    [
      {
        OPTION: 'c',
        HELM_RELEASE: 'omis/pc',
        AKS_CLUSTER: `${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}/rg/aks`,
        TARGET: 'previous;x',
      },
      `::error::input 'target' must be a Helm revision number (empty: previous)`,
    ],
    [{ ENVIRONMENT: 'prod;rm -rf' }, `::error::input 'environment' must be an environment name (letters, digits, . _ -)`],
    [{ OPTION: 'a', GITOPS_MODE: 'force' }, `::error::input 'gitops-mode' must be push or pull-request; got "force"`],
    [{ TARGET: '$(touch x)' }, `::error::input 'target' must be a tag or a sha256: digest`],
    [{ HEALTH_URLS: 'frontend https://x' }, `::error::input 'health-urls' must be lines of service=https://url`],
  ])('refuses %o', (bad, message) => {
    const result = runStep('rollback.yml', 'validate', 'validate', { ...good, ...bad });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`${message}\n`);
  });

  it("splits option e's webapp into the parts slot-swap takes", () => {
    const result = runStep('rollback.yml', 'validate', 'validate', {
      ...good,
      OPTION: 'e',
      WEBAPP: `${GUID}/omis-rg/omis-web`,
      SLOT: 'staging',
      HEALTH_PATH: '/',
    });
    expect(result.code).toBe(0);
    expect(result.output).toBe(
      `subscription-id=${GUID}\nresource-group=omis-rg\napp-name=omis-web\nenvironment-tag=production\n`,
    );
  });

  it('passes good inputs and names the tag the environment runs', () => {
    const result = runStep('rollback.yml', 'validate', 'validate', {
      ...good,
      HEALTH_URLS: 'frontend=https://x/api\nbackend=http://y:8080/',
    });
    expect(result.code).toBe(0);
    expect(result.output).toBe('environment-tag=production\n');
  });
});

describe("option-c-aks.yml's input check", () => {
  const good = {
    ENVIRONMENT: 'production',
    RELEASE: 'pc',
    NAMESPACE: 'omis',
    IMAGE_SET: '{service}.image.tag={tag}',
    HEALTH_URLS: 'web=https://x/',
  };

  it('passes good inputs', () => {
    expect(runStep('option-c-aks.yml', 'changes', 'validate', good).code).toBe(0);
  });

  it.each([
    [{ RELEASE: 'PC' }, `::error::input 'release' must be a DNS-1123 label of at most 53 characters`],
    [{ NAMESPACE: 'kube system' }, `::error::input 'namespace' must be a DNS-1123 label`],
    [
      { IMAGE_SET: '{service}.image.tag=latest' },
      `::error::input 'image-set' must be one path=value line holding {tag}, e.g. {service}.image.tag={tag}`,
    ],
    [
      { IMAGE_SET: '--post-renderer={tag}' },
      `::error::input 'image-set' must be one path=value line holding {tag}, e.g. {service}.image.tag={tag}`,
    ],
  ])('refuses %o', (bad, message) => {
    const result = runStep('option-c-aks.yml', 'changes', 'validate', { ...good, ...bad });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`${message}\n`);
  });
});

describe("option-d-vm.yml's input check", () => {
  it('refuses a deploy method it does not know', () => {
    const result = runStep('option-d-vm.yml', 'changes', 'validate', {
      ENVIRONMENT: 'production',
      DEPLOY_METHOD: 'scp',
      HEALTH_URLS: 'web=https://x/',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`::error::input 'deploy-method' must be ssh or watchtower; got "scp"\n`);
  });
});

describe("option-e-webapp.yml's input check and release plan", () => {
  const good = {
    ENVIRONMENT: 'production',
    APP_NAME: 'omis-web',
    SLOT: 'staging',
    SUBSCRIPTION: GUID,
    HEALTH_PATH: '/',
    HEALTH_PATHS: 'frontend=/api/info\nbackend=/status/backend/api/info',
  };

  it('passes good inputs and names the slot environment', () => {
    const result = runStep('option-e-webapp.yml', 'changes', 'validate', good);
    expect(result.code).toBe(0);
    expect(result.output).toBe('slot-environment=production-staging\n');
  });

  it.each([
    [{ SLOT: 'production' }, `::error::input 'slot' must be a deployment slot name other than production`],
    [{ APP_NAME: 'omis web' }, `::error::input 'app-name' must be an App Service name (letters, digits, '-')`],
    [{ SUBSCRIPTION: 'my-sub' }, `::error::input 'azure-subscription-id' must be a subscription ID (a GUID)`],
    [{ HEALTH_PATHS: 'backend=https://x/api' }, `::error::input 'health-paths' must be lines of service=/path`],
  ])('refuses %o', (bad, message) => {
    const result = runStep('option-e-webapp.yml', 'changes', 'validate', { ...good, ...bad });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`${message}\n`);
  });

  const TEMPLATE = [
    '- name: frontend',
    '  image: acr.example/omis-pc/frontend:{tag}',
    '  is-main: true',
    '- name: backend',
    "  image: 'acr.example/omis-pc/backend:{tag}'",
    '- name: cache',
    '  image: redis:7',
  ].join('\n');
  const matrix = (services: string[]) =>
    JSON.stringify({
      include: services.map((service) => ({
        service,
        batch: JSON.stringify([{ service, registry: 'acr.example', repository: `omis-pc/${service}` }]),
      })),
    });

  it('gives the rebuilt services the SHA and keeps the others as production runs them', () => {
    const result = runStep('option-e-webapp.yml', 'stage', 'plan', {
      SITECONTAINERS: TEMPLATE,
      MATRIX: matrix(['backend']),
      SHA: 'a'.repeat(40),
    });
    expect(result.code).toBe(0);
    const text = /sitecontainers<<(ghadelimiter_[0-9a-f-]+)\n([\s\S]*)\n\1\n$/.exec(result.output)?.[2];
    expect(text).toBe(
      TEMPLATE.replace('acr.example/omis-pc/frontend:{tag}', 'keep').replace(
        "'acr.example/omis-pc/backend:{tag}'",
        `acr.example/omis-pc/backend:${'a'.repeat(40)}`,
      ),
    );
  });

  it('refuses a {tag} it cannot place', () => {
    const result = runStep('option-e-webapp.yml', 'stage', 'plan', {
      SITECONTAINERS: '- name: web\n  image: acr.example/web:v-{tag}\n  is-main: true',
      MATRIX: matrix([]),
      SHA: 'a'.repeat(40),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("::error::input 'sitecontainers' must write each image as image: <registry>/<repository>:{tag}\n");
  });
});

describe('the report at the end of every deployment workflow', () => {
  const reporting = workflows.filter(({ path, example }) => !example && /(option-[a-e]-|rollback)/.test(path));

  it.each(reporting.map(({ path, doc }) => [path, doc] as const))('%s ends with a report job that always runs', (_path, doc) => {
    const jobs = doc.jobs as Record<string, Job & { if?: string; permissions?: Record<string, string> }>;
    const report = jobs.report;
    expect(report?.if).toMatch(/^always\(\)/);
    expect(report?.steps?.some((step) => step.uses === 'org/deploy-actions/deploy-report@v1')).toBe(true);
    expect(report?.permissions).toEqual({ contents: 'read', issues: 'write' });
    // issues: write on the report job only (and on a job calling rollback.yml, whose report job asks for it).
    for (const [name, job] of Object.entries(jobs)) {
      if (name === 'report' || job.uses?.includes('rollback.yml')) continue;
      expect(job.permissions?.issues, name).toBeUndefined();
    }
  });

  it("a job's phases run from each mark to the next, the last to now", () => {
    const result = runStep('option-c-aks.yml', 'deploy', 'phases', {
      MARKS: 'deploy=2026-11-23T10:00:00Z=success\ngate=2026-11-23T10:00:30Z=failure\nrollback==success\n',
    });
    expect(result.code).toBe(0);
    const phases = JSON.parse(result.outputs.json ?? '[]') as {
      name: string;
      started: string;
      finished: string;
      result: string;
    }[];
    expect(phases.map((phase) => [phase.name, phase.started, phase.result])).toEqual([
      ['deploy', '2026-11-23T10:00:00Z', 'success'],
      ['gate', '2026-11-23T10:00:30Z', 'failure'],
    ]);
    expect(phases[0]?.finished).toBe('2026-11-23T10:00:30Z');
    expect(phases[1]?.finished).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });
});
