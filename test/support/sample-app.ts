// The sample monorepo (examples/omis-sample) as the end-to-end tests use it: an app
// repository pointed at the local registry, the runner's checkout of it, and the steps
// the deployment workflows run for every service.
import { record } from '../bench/results.js';
import { appendFileSync, copyFileSync, cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../../packages/runner/harness.js';
import { CLIENT, type FakeAcr, TENANT } from './fake-acr.js';
import { TestRepo } from './git-repo.js';
import { failure, runAction, succeeded } from './run-action.js';

export const SAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'omis-sample');
export const SERVICES = ['frontend', 'backend', 'csvtomdb'];
const CONTEXTS = ['frontend', 'backend', 'csv-to-mdb'];

/** One build-matrix entry, the fields the workflows use. */
export interface Entry {
  service: string;
  registry: string;
  repository: string;
  image: string;
  context: string;
  dockerfile: string;
}

export const matrixEntries = (result: RunResult): Entry[] =>
  (JSON.parse(result.outputs.matrix ?? '{"include":[]}') as { include: Entry[] }).include;

/**
 * Text for a person watching `npm run demo`, which sets DEMO_LOG and prints that file as it
 * grows; the test runner's own output (`stdout | test/e2e/...`) is kept out of the demo.
 */
export function narrate(text: string): void {
  const path = process.env.DEMO_LOG;
  if (path) appendFileSync(path, `${text}\n`);
}

/** A step's job summary, for the demo. */
export function narrateStep(step: string, result: RunResult): void {
  narrate(`\n----- ${step} (exit ${result.exitCode}) -----\n${result.summary.trim()}`);
}

/** Asserts a step succeeded (exit 0, not timed out, no error); the demo shows its summary. */
export function show(step: string, result: RunResult): RunResult {
  narrateStep(step, result);
  return succeeded(result, step);
}

/** Asserts a step failed (exit 1, not timed out); the demo shows its summary. Returns the error. */
export function showFailure(step: string, result: RunResult): string {
  narrateStep(step, result);
  return failure(result);
}

/** The timing line of an option's e2e run, with its targets, in the test log and the demo. */
export function reportTimes(option: string, pushToHealthy: number, rollback: number): void {
  const line = `option ${option}: push-to-healthy ${pushToHealthy.toFixed(1)} s (target < 90), rollback ${rollback.toFixed(1)} s (target < 30)`;
  console.log(line);
  narrate(`\n${line}`);
  record('options', [option, pushToHealthy.toFixed(1), rollback.toFixed(1)]);
}

export class SampleApp {
  readonly repo = new TestRepo();

  constructor(registry: string) {
    cpSync(SAMPLE, this.repo.work, { recursive: true });
    // The services file, the chart and the callers name the production registry; point them here.
    const workflows = readdirSync(join(this.repo.work, '.github', 'workflows')).map((file) => join('.github', 'workflows', file));
    for (const file of [
      join('.github', 'deploy-services.yml'),
      join('charts', 'product-configurator', 'values.yaml'),
      ...workflows,
    ]) {
      const path = join(this.repo.work, file);
      writeFileSync(path, readFileSync(path, 'utf8').replaceAll('omispcacrprod.azurecr.io', registry));
    }
  }

  /** Commits and pushes to main; returns the SHA. */
  release(files: Record<string, string | null>, message: string): string {
    const sha = this.repo.commit(files, message);
    this.repo.push();
    return sha;
  }

  /** A release whose backend image has lost its /api/info. */
  releaseBrokenBackend(): string {
    const dockerfile = readFileSync(join(this.repo.work, 'backend', 'Dockerfile'), 'utf8');
    return this.release(
      { 'backend/Dockerfile': dockerfile.replace(/^RUN .*$/m, '# the API file was lost in a refactor') },
      'release: broken backend',
    );
  }

  /** The release after a broken one: the backend's Dockerfile as the sample has it. */
  releaseFixedBackend(message = 'release: backend fixed'): string {
    return this.release({ 'backend/Dockerfile': readFileSync(join(SAMPLE, 'backend', 'Dockerfile'), 'utf8') }, message);
  }

  /**
   * Points the caller workflows' health URLs at `origin` instead of the sample's public
   * `publicOrigin`, as the services file and chart are pointed at the test registry.
   * Committed, like any change a user makes to a copied sample.
   */
  serveAt(publicOrigin: string, origin: string): void {
    const dir = join(this.repo.work, '.github', 'workflows');
    const files: Record<string, string> = {};
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8');
      files[join('.github', 'workflows', file)] = text.replaceAll(publicOrigin, origin);
    }
    this.repo.commit(files, 'point the health URLs at this environment');
  }

  /**
   * The static busybox each image is built around, in the author's working tree (which act
   * copies as the jobs' checkout); git ignores it, so no commit carries it.
   */
  addBusybox(): void {
    for (const context of CONTEXTS) copyFileSync('/bin/busybox', join(this.repo.work, context, 'busybox'));
  }

  /** The runner's checkout: depth 1, plus the static busybox each image is built around. */
  checkout(): string {
    const dir = this.repo.shallowCheckout('main');
    for (const context of CONTEXTS) copyFileSync('/bin/busybox', join(dir, context, 'busybox'));
    return dir;
  }

  cleanup(): void {
    this.repo.cleanup();
  }
}

/** The OIDC inputs of an action run against the fake ACR. */
export const oidc = (acr: FakeAcr) => ({ 'client-id': CLIENT, 'tenant-id': TENANT, 'authority-host': acr.authorityHost });

/** acr-push as the build job runs it: OIDC, the commit's SHA as build argument. */
export async function pushImage(acr: FakeAcr, entry: Entry, cwd: string, sha: string, tags: string): Promise<RunResult> {
  const inputs = {
    registry: entry.registry,
    repository: entry.repository,
    context: entry.context,
    dockerfile: entry.dockerfile,
    'build-args': `GIT_SHA=${sha}`,
    tags,
    ...oidc(acr),
  };
  return show(
    `acr-push ${entry.service}`,
    await runAction('acr-push', inputs, { cwd, env: { ...acr.oidcEnv, GITHUB_SHA: sha }, timeoutMs: 120_000 }),
  );
}

/** health-gate on the services' /api/info, expecting the SHA. */
export function gate(
  ports: Record<string, number>,
  services: string[],
  sha: string,
  extra: Record<string, string> = {},
): Promise<RunResult> {
  return runAction('health-gate', {
    url: services.map((service) => `http://127.0.0.1:${ports[service]}/api/info`).join('\n'),
    'expect-json': `build.sha=${sha}`,
    interval: '250ms',
    timeout: '60s',
    ...extra,
  });
}

/**
 * The workflows' gate of a release: the services it changed must report its SHA, the others
 * only be healthy (they still run the release before). Returns both runs, or one.
 */
export async function gateRelease(
  ports: Record<string, number>,
  changed: string[],
  sha: string,
  extra: Record<string, string> = {},
): Promise<RunResult[]> {
  const others = SERVICES.filter((service) => !changed.includes(service));
  const results: RunResult[] = [];
  if (changed.length > 0) results.push(await gate(ports, changed, sha, extra));
  if (others.length > 0) {
    const url = others.map((service) => `http://127.0.0.1:${ports[service]}/api/info`).join('\n');
    results.push(await runAction('health-gate', { url, interval: '250ms', timeout: '60s', ...extra }));
  }
  return results;
}

/**
 * The changes job: build-matrix for a push from `before` to `sha`, or, without `before`, a
 * workflow_dispatch (everything). Returns the matrix entries.
 */
export async function changes(dir: string, sha: string, before?: string): Promise<Entry[]> {
  const event =
    before === undefined
      ? { name: 'workflow_dispatch', payload: {} }
      : { name: 'push', payload: { ref: 'refs/heads/main', before, after: sha } };
  return matrixEntries(show('build-matrix', await runAction('build-matrix', {}, { cwd: dir, event, env: { GITHUB_SHA: sha } })));
}
