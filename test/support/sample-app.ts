// The sample monorepo (examples/omis-sample) as the end-to-end tests use it: an app
// repository pointed at the local registry, whose caller workflows act runs
// (test/support/sample-runner.ts), and the releases each option's story makes.
import { record } from '../bench/results.js';
import { appendFileSync, copyFileSync, cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestRepo } from './git-repo.js';

export const SAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'omis-sample');
export const SERVICES = ['frontend', 'backend', 'csvtomdb'];
const CONTEXTS = ['frontend', 'backend', 'csv-to-mdb'];

/**
 * Text for a person watching `npm run demo`, which sets DEMO_LOG and prints that file as it
 * grows; the test runner's own output (`stdout | test/e2e/...`) is kept out of the demo.
 */
export function narrate(text: string): void {
  const path = process.env.DEMO_LOG;
  if (path) appendFileSync(path, `${text}\n`);
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
    // Every service's own commands also check that they cannot mint an ID token: the runner
    // hands the token's request URL only to a job with id-token: write, and build.yml runs
    // these commands in a job without it. A workflow that gave them one fails its build.
    const services = join(this.repo.work, '.github', 'deploy-services.yml');
    const noToken = 'test -z \\"${ACTIONS_ID_TOKEN_REQUEST_URL:-}${ACTIONS_ID_TOKEN_REQUEST_TOKEN:-}\\"';
    const text = readFileSync(services, 'utf8')
      .replace('commands: { test: node --test test/ }', `commands: { test: node --test test/, lint: "${noToken}" }`)
      .replaceAll('commands: { build: javac', `commands: { lint: "${noToken}", build: javac`);
    if (text.split(noToken).length !== 4) throw new Error('the sample services file changed: put the ID-token check back in');
    writeFileSync(services, text);
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

  cleanup(): void {
    this.repo.cleanup();
  }
}
