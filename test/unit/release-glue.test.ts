// The glue the workflows once held as scripts (issue 23), now inputs of the actions that
// consume them: health-gate's per-service expectations, helm-deploy's image-set, slot-swap's
// `{tag}` images, gitops-bump's build records, and deploy-report's phases from the run's jobs.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { phasesOfJobs, type RunJob } from '../../actions/deploy-report/run-phases.js';
import { readConfig as readBump } from '../../actions/gitops-bump/config.js';
import { DEFAULTS as GATE_DEFAULTS, readConfig as readGate } from '../../actions/health-gate/config.js';
import { DEFAULTS as HELM_DEFAULTS, readConfig as readHelm } from '../../actions/helm-deploy/config.js';
import { parseSiteContainers } from '../../actions/slot-swap/config.js';
import { Inputs } from '../../packages/shared/inputs.js';

const inputs = (values: Record<string, string>, defaults: Record<string, string> = {}) =>
  new Inputs(
    (name) => values[name] ?? '',
    () => {},
    defaults,
  );

const SHA = 'a'.repeat(40);
const HEALTH_URLS = 'frontend=https://app.example/api/info\nbackend = https://app.example/backend/api/info\n';

describe("health-gate's services and changed-services", () => {
  const gate = (values: Record<string, string>) => readGate(inputs(values, GATE_DEFAULTS));

  it('holds only the changed services to expect-json; the others need only answer well', () => {
    const config = gate({ services: HEALTH_URLS, 'changed-services': '["backend"]', 'expect-json': `build.sha=${SHA}` });
    expect(config.urls.map(String)).toEqual(['https://app.example/api/info', 'https://app.example/backend/api/info']);
    expect(config.expectJsonByUrl).toEqual([[], config.expectJson]);
    expect(JSON.stringify(config.expectJson)).toContain(SHA);
  });

  it('holds every service to expect-json without changed-services, and none with an empty list', () => {
    expect(gate({ services: HEALTH_URLS, 'expect-json': 'ok=true' }).expectJsonByUrl).toBeUndefined();
    expect(gate({ services: HEALTH_URLS, 'changed-services': '[]', 'expect-json': 'ok=true' }).expectJsonByUrl).toEqual([[], []]);
  });

  it('joins service=/path lines to base-url', () => {
    const config = gate({
      services: 'frontend=/api/info\nbackend=/status/backend/api/info',
      'base-url': 'https://slot.example/',
    });
    expect(config.urls.map(String)).toEqual(['https://slot.example/api/info', 'https://slot.example/status/backend/api/info']);
  });

  it.each([
    [{ services: 'frontend https://x' }, "input 'services' must be lines of service=https://url; line 1 is not"],
    [{ services: 'Front=https://x' }, "input 'services' must be lines of service=https://url; line 1 is not"],
    [{ services: 'a=https://x\na=https://y' }, "input 'services' names a twice"],
    [{ services: 'a=ftp://x' }, "input 'services' must be an http:// or https:// URL"],
    [{ services: 'a=https://x', url: 'https://y' }, "input 'url' and services are two ways to name the URLs: give one"],
    [{ services: 'a=https://x', 'changed-services': 'a;b' }, "input 'changed-services' must be a JSON list of service names"],
    [{ services: 'a=https://x', 'base-url': 'https://y' }, "input 'services' must be lines of service=/path (with base-url)"],
    [{ url: 'https://x', 'changed-services': '["a"]' }, "input 'changed-services' needs services"],
    [{}, "input 'url' is required"],
  ])('refuses %o with one line naming the input', (values, message) => {
    expect(() => gate(values)).toThrow(message);
  });
});

describe("helm-deploy's image-set, image-services and environment", () => {
  let workspace: string;
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'release-glue-'));
    mkdirSync(join(workspace, 'chart', 'environments', 'prod'), { recursive: true });
    writeFileSync(join(workspace, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: app\nversion: 1.0.0\n');
    writeFileSync(join(workspace, 'chart', 'environments', 'prod', 'values.yaml'), 'a: 1\n');
    writeFileSync(join(workspace, 'kubeconfig'), 'apiVersion: v1\nkind: Config\n');
    process.env.GITHUB_WORKSPACE = workspace;
  });
  afterEach(() => {
    rmSync(workspace, { recursive: true, force: true });
  });
  const helm = (values: Record<string, string>) =>
    readHelm(inputs({ release: 'app', chart: 'chart', kubeconfig: join(workspace, 'kubeconfig'), ...values }, HELM_DEFAULTS));

  it("sets each rebuilt service's tag, and takes the environment's values file when none is given", () => {
    const config = helm({ 'image-services': '["backend","csv-to-mdb"]', 'image-tag': SHA, environment: 'prod', set: 'x=1' });
    expect(config.upgrade?.set).toEqual(['x=1', `backend.image.tag=${SHA}`, `csv-to-mdb.image.tag=${SHA}`]);
    expect(config.upgrade?.valuesFiles).toEqual([join(workspace, 'chart', 'environments', 'prod', 'values.yaml')]);
    expect(helm({ environment: 'staging' }).upgrade?.valuesFiles).toEqual([]);
  });

  it.each([
    [
      { 'image-services': '["b"]', 'image-tag': SHA, 'image-set': '{service}.image.tag=latest' },
      "input 'image-set' must be one path=value line holding {tag}",
    ],
    [
      { 'image-services': '["b"]', 'image-tag': SHA, 'image-set': '--post-renderer={tag}' },
      "input 'image-set' must be one path=value line",
    ],
    [{ 'image-services': '["b"]', 'image-tag': 'x;y' }, "input 'image-tag' must be an image tag"],
    [{ 'image-services': '["b"]' }, "input 'image-tag' must be an image tag"],
    [{ environment: '..' }, "input 'environment' must be an environment name"],
  ])('refuses %o', (values, message) => {
    expect(() => helm(values)).toThrow(message);
  });
});

describe("slot-swap's {tag} images", () => {
  const TEXT = [
    '- name: main',
    '  image: reg.azurecr.io/omis/frontend:{tag}',
    '  is-main: true',
    '- name: backend',
    '  image: reg.azurecr.io/omis/backend:{tag}',
  ].join('\n');

  it('gives the rebuilt images the tag and keeps the others as the slot runs them', () => {
    const containers = parseSiteContainers(TEXT, parse, { tag: SHA, rebuilt: new Set(['reg.azurecr.io/omis/backend']) });
    expect(containers.map((container) => container.image)).toEqual(['keep', `reg.azurecr.io/omis/backend:${SHA}`]);
  });

  it('refuses a {tag} without a release tag', () => {
    expect(() => parseSiteContainers(TEXT, parse)).toThrow("input 'image-tag' is required: main's image ends in :{tag}");
  });
});

describe("gitops-bump's build-records", () => {
  let workspace: string;
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'release-glue-'));
    process.env.GITHUB_WORKSPACE = workspace;
    process.env.RUNNER_TEMP = join(workspace, 'tmp');
    mkdirSync(join(workspace, 'builds'));
  });
  afterEach(() => {
    rmSync(workspace, { recursive: true, force: true });
  });
  const bump = (values: Record<string, string>) =>
    readBump(inputs({ repository: 'omis/gitops', branch: 'main', files: 'env/*.yaml', token: 't', ...values }));
  const record = (name: string, body: unknown) => {
    writeFileSync(join(workspace, 'builds', name), JSON.stringify(body));
  };

  it('pins each pushed image by its digest; a build that pushed nothing is left out', () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    record('build-backend.json', { services: [{ service: 'backend', image: 'reg.azurecr.io/omis/backend:abc', digest }] });
    record('build-frontend.json', { services: [{ service: 'frontend', image: 'reg.azurecr.io/omis/frontend:abc' }] });
    expect(bump({ 'build-records': 'builds' }).images).toEqual([{ name: 'reg.azurecr.io/omis/backend', digest }]);
  });

  it('refuses a record that is not one, and a link in the folder', () => {
    record('build-x.json', { services: [{ service: 1 }] });
    expect(() => bump({ 'build-records': 'builds' })).toThrow("input 'build-records' build-x.json: each service must be");
    rmSync(join(workspace, 'builds', 'build-x.json'));
    symlinkSync('/etc/passwd', join(workspace, 'builds', 'build-y.json'));
    expect(() => bump({ 'build-records': 'builds' })).toThrow(
      "input 'build-records' must not lead outside the workspace (GITHUB_WORKSPACE) or RUNNER_TEMP through a symbolic link",
    );
    expect(() => bump({ 'build-records': '../outside' })).toThrow("input 'build-records' must be a path inside");
  });
});

describe("deploy-report's phases from the run's jobs", () => {
  const job = (name: string, started: string, completed: string | null, conclusion: string | null): RunJob => ({
    name,
    status: completed ? 'completed' : 'in_progress',
    conclusion,
    started_at: `2026-12-04T10:${started}Z`,
    completed_at: completed ? `2026-12-04T10:${completed}Z` : null,
  });

  it("names each finished job without the caller's shared part, in order of start; the report's own is left out", () => {
    const phases = phasesOfJobs([
      job('production / deploy', '02:00', '03:00', 'failure'),
      job('production / build / changes', '00:00', '00:10', 'success'),
      job('production / build / build (backend)', '00:10', '01:50', 'success'),
      job('production / report / report', '03:01', null, null),
    ]);
    expect(phases.map((phase) => [phase.name, phase.result, phase.started.toISOString()])).toEqual([
      ['build / changes', 'success', '2026-12-04T10:00:00.000Z'],
      ['build / build (backend)', 'success', '2026-12-04T10:00:10.000Z'],
      ['deploy', 'failure', '2026-12-04T10:02:00.000Z'],
    ]);
  });

  it('keeps a lone job its name, and reads an unknown conclusion as a failure', () => {
    expect(phasesOfJobs([job('deploy', '00:00', '00:05', 'timed_out')]).map((phase) => [phase.name, phase.result])).toEqual([
      ['deploy', 'failure'],
    ]);
  });
});
