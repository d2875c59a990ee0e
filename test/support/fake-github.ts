// A fake of the GitHub REST endpoints gitops-bump's PR mode and deploy-report's alert issue use. Every request the fake receives (path
// and query parameters, JSON body) and every response it sends is checked against GitHub's
// own OpenAPI description from @octokit/openapi; a mismatch is recorded and fails the test.
// Responses are built from the schema (every required field present), then filled in.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { answerGitData, type GitDataRepo } from './fake-github-git.js';

type Schema = Record<string, unknown>;
interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  names: string[];
  spec: {
    parameters?: Schema[];
    requestBody?: { content?: Record<string, { schema?: Schema }> };
    responses: Record<string, unknown>;
  };
}

const require = createRequire(import.meta.url);
let loaded: { spec: { paths: Record<string, Record<string, Operation['spec']>>; components: Schema }; ajv: Ajv } | undefined;

function openapi() {
  if (!loaded) {
    const path = require.resolve('@octokit/openapi/generated/api.github.com.json');
    const spec = JSON.parse(readFileSync(path, 'utf8')) as {
      paths: Record<string, Record<string, Operation['spec']>>;
      components: Schema;
    };
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema(anchoredComponents(spec.components));
    loaded = { spec, ajv };
  }
  return loaded;
}

/**
 * Replaces `#/components/...` references so a schema compiles against the added spec, and
 * drops OpenAPI's `nullable` where there is no `type` beside it (a `$ref` or an `allOf`),
 * which Ajv refuses to compile.
 */
const anchoredComponents = (components: Schema): Schema => ({ $id: 'gh', components: anchored(components) });

function anchored(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"gh#/components/'), (_key, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value) && 'nullable' in value && !('type' in value)) {
      return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'nullable'));
    }
    // OpenAPI 3.0's nullable enum (a job's `conclusion` while it runs) admits null; JSON
    // Schema's enum does not unless it lists it.
    const node = value as { nullable?: unknown; enum?: unknown[] } | null;
    if (node && typeof node === 'object' && node.nullable === true && Array.isArray(node.enum) && !node.enum.includes(null)) {
      return { ...node, enum: [...node.enum, null] };
    }
    return value;
  });
}

function resolveRef(schema: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  let node: unknown = openapi().spec;
  for (const part of ref.replace(/^#\//, '').split('/')) node = (node as Record<string, unknown>)[part];
  return resolveRef(node as Schema);
}

/** The smallest value the schema accepts: required properties only, first alternatives. */
export function sample(input: Schema, depth = 0): unknown {
  const schema = resolveRef(input);
  if (depth > 12) return null;
  if (Array.isArray(schema.allOf))
    return Object.assign({}, ...(schema.allOf as Schema[]).map((part) => sample(part, depth + 1) as object));
  const alternatives = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (alternatives?.[0]) return sample(alternatives[0], depth + 1);
  if (schema.nullable === true) return null;
  if (Array.isArray(schema.enum)) return (schema.enum as unknown[])[0];
  switch (schema.type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const result: Record<string, unknown> = {};
      for (const key of (schema.required ?? []) as string[])
        result[key] = properties[key] ? sample(properties[key], depth + 1) : null;
      return result;
    }
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'string':
      return schema.format === 'date-time' ? '2026-01-01T00:00:00Z' : 'x';
    default:
      return {};
  }
}

export interface FakeGitHub {
  url: string;
  pulls: {
    number: number;
    head: string;
    base: string;
    title: string;
    body: string;
    labels: string[];
    autoMerge?: string;
    state: string;
  }[];
  /** Issues (not pull requests), numbered with the pull requests as GitHub does. */
  issues: { number: number; title: string; body: string; labels: string[]; state: 'open' | 'closed'; comments: string[] }[];
  requests: string[];
  /** OpenAPI mismatches, requests and responses alike. */
  violations: string[];
  /** Statuses to answer the next PR creations with, after making the PR (a lost answer). */
  createFaults: number[];
  /**
   * The jobs of each workflow run by run ID, read when asked (under act: from act's own
   * events as they come), served as `GET .../actions/runs/{run_id}/attempts/{n}/jobs`.
   */
  runs: Map<number, () => RunJobRecord[]>;
  /** Workflow runs listed by `GET .../actions/workflows/{workflow_id}/runs` (the release's CI check). */
  workflowRuns: { workflow: string; headSha: string; conclusion: 'success' | 'failure' }[];
  /** Releases made by `POST .../releases`. */
  releases: { tag: string; name: string; body: string }[];
  /** The repositories whose Git Data API is served (fake-github-git.ts), by `owner/name`. */
  gitData: Map<string, GitDataRepo>;
  close: () => Promise<void>;
}

/** One job of a run, as a runner would have reported it. */
export interface RunJobRecord {
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'cancelled' | 'skipped' | null;
  started_at: string;
  completed_at: string | null;
  steps: {
    name: string;
    number: number;
    status: string;
    conclusion: string | null;
    started_at?: string;
    completed_at?: string;
  }[];
}

/**
 * GitHub's REST API for `owner/repo` and `token`. `grants` adds tokens of other repositories
 * (a GitOps token, say), each mapped to the one `owner/name` it may use; as on GitHub, a token
 * asking for a repository it has no access to gets 404, recorded as a violation. The pull
 * requests and issues of all of them are kept in one list.
 */
export async function startFakeGitHub(
  owner: string,
  repo: string,
  token: string,
  grants: Readonly<Record<string, string>> = {},
): Promise<FakeGitHub> {
  const access = new Map<string, string>([[token, `${owner}/${repo}`], ...Object.entries(grants)]);
  const { spec, ajv } = openapi();
  const operations: Operation[] = [];
  for (const template of [
    '/repos/{owner}/{repo}/pulls',
    '/repos/{owner}/{repo}/pulls/{pull_number}',
    '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    '/repos/{owner}/{repo}/issues',
    '/repos/{owner}/{repo}/issues/{issue_number}',
    '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    '/repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs',
    '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
    '/repos/{owner}/{repo}/releases',
    '/repos/{owner}/{repo}/git/blobs',
    '/repos/{owner}/{repo}/git/trees',
    '/repos/{owner}/{repo}/git/commits',
    '/repos/{owner}/{repo}/git/refs',
    '/repos/{owner}/{repo}/git/refs/{ref}',
    '/repos/{owner}/{repo}/git/ref/{ref}',
  ]) {
    for (const [method, operation] of Object.entries(spec.paths[template] ?? {})) {
      const names = [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
      // A ref (`heads/main`) may come with its slash as it is or encoded.
      const pattern = new RegExp(`^${template.replace('{ref}', '(.+)').replace(/\{\w+\}/g, '([^/]+)')}$`);
      operations.push({ method: method.toUpperCase(), template, pattern, names, spec: operation });
    }
  }
  const validators = new Map<string, ValidateFunction>();
  const validator = (key: string, schema: Schema) => {
    let validate = validators.get(key);
    if (!validate) {
      validate = ajv.compile(anchored(schema) as Schema);
      validators.set(key, validate);
    }
    return validate;
  };
  const state: FakeGitHub = {
    url: '',
    pulls: [],
    issues: [],
    requests: [],
    violations: [],
    createFaults: [],
    runs: new Map(),
    gitData: new Map(),
    workflowRuns: [],
    releases: [],
    close: async () => {},
  };
  const nextNumber = () => state.pulls.length + state.issues.length + 1;

  /** An issue in the shape of the `issue` schema, filled in. */
  const issueJson = (issue: FakeGitHub['issues'][number]) => {
    const base = sample({ $ref: '#/components/schemas/issue' }) as Record<string, unknown>;
    const label = sample({ $ref: '#/components/schemas/label' }) as Record<string, unknown>;
    return {
      ...base,
      id: 5000 + issue.number,
      node_id: `I_fake${issue.number}`,
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      labels: issue.labels.map((name, index) => ({ ...label, id: index + 1, name })),
      comments: issue.comments.length,
      url: `${state.url}/repos/${owner}/${repo}/issues/${issue.number}`,
      html_url: `https://github.com/${owner}/${repo}/issues/${issue.number}`,
    };
  };

  const check = (what: string, schema: Schema | undefined, value: unknown) => {
    if (!schema) {
      state.violations.push(`${what}: no schema in the OpenAPI description`);
      return;
    }
    try {
      const validate = validator(what, schema);
      if (!validate(value)) state.violations.push(`${what}: ${ajv.errorsText(validate.errors)}`);
    } catch (error) {
      state.violations.push(`${what}: the schema did not compile: ${(error as Error).message}`);
    }
  };

  /** A pull request in the shape of `schema` (pull-request or pull-request-simple), filled in. */
  const pullJson = (pull: FakeGitHub['pulls'][number], schema: 'pull-request' | 'pull-request-simple') => {
    const base = sample({ $ref: `#/components/schemas/${schema}` }) as Record<string, unknown>;
    const html = `https://github.com/${owner}/${repo}/pull/${pull.number}`;
    return {
      ...base,
      number: pull.number,
      id: 1000 + pull.number,
      node_id: `PR_fake${pull.number}`,
      html_url: html,
      url: `${state.url}/repos/${owner}/${repo}/pulls/${pull.number}`,
      state: pull.state,
      title: pull.title,
      body: pull.body,
      labels: [],
      head: { ...(base.head as object), ref: pull.head, label: `${owner}:${pull.head}` },
      base: { ...(base.base as object), ref: pull.base, label: `${owner}:${pull.base}` },
    };
  };

  const respond = (res: ServerResponse, operation: Operation | undefined, status: number, body: unknown) => {
    if (operation) {
      const declared = operation.spec.responses[String(status)] as Schema | undefined;
      // Shared answers (422 validation_failed, 404 not_found) are references to components.
      const response = (declared ? resolveRef(declared) : undefined) as
        { content?: Record<string, { schema?: Schema }> } | undefined;
      check(`${operation.method} ${operation.template} -> ${status}`, response?.content?.['application/json']?.schema, body);
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      state.requests.push(`${req.method ?? ''} ${url.pathname}${url.search}`);
      // GitHub takes both schemes; Octokit sends `token` for a plain token.
      const presented = /^(?:Bearer|token) (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const repository = access.get(presented);
      if (repository === undefined) {
        respond(res, undefined, 401, { message: 'Bad credentials' });
        return;
      }
      const asked = /^\/repos\/([^/]+\/[^/]+)\//.exec(url.pathname)?.[1];
      if (asked !== undefined && decodeURIComponent(asked) !== repository) {
        state.violations.push(`${req.method ?? ''} ${url.pathname}: a token of ${repository} used on ${asked}`);
        respond(res, undefined, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      const body = (text ? JSON.parse(text) : undefined) as Record<string, unknown> | undefined;

      if (url.pathname === '/graphql') {
        const variables = (body?.variables ?? {}) as { id?: string; mergeMethod?: string };
        const pull = state.pulls.find((entry) => `PR_fake${entry.number}` === variables.id);
        if (
          !String(body?.query).includes('enablePullRequestAutoMerge') ||
          !pull ||
          !['MERGE', 'SQUASH', 'REBASE'].includes(variables.mergeMethod ?? '')
        ) {
          state.violations.push(`graphql: unexpected ${text}`);
          respond(res, undefined, 200, { errors: [{ message: 'bad request' }] });
          return;
        }
        pull.autoMerge = variables.mergeMethod;
        respond(res, undefined, 200, { data: { enablePullRequestAutoMerge: { clientMutationId: null } } });
        return;
      }

      const operation = operations.find((entry) => entry.method === req.method && entry.pattern.test(url.pathname));
      if (!operation) {
        state.violations.push(`${req.method ?? ''} ${url.pathname}: not an operation of the description`);
        respond(res, undefined, 404, { message: 'Not Found' });
        return;
      }
      const values = operation.pattern.exec(url.pathname)?.slice(1) ?? [];
      const params = Object.fromEntries(operation.names.map((name, index) => [name, decodeURIComponent(values[index] ?? '')]));
      for (const parameter of (operation.spec.parameters ?? []).map(resolveRef)) {
        const name = String(parameter.name);
        const raw = parameter.in === 'path' ? params[name] : parameter.in === 'query' ? url.searchParams.get(name) : undefined;
        if (raw === undefined || raw === null) {
          if (parameter.required === true) state.violations.push(`${operation.template}: missing ${name}`);
          continue;
        }
        const schema = resolveRef(parameter.schema as Schema);
        const value = schema.type === 'integer' ? Number(raw) : raw;
        check(`${operation.method} ${operation.template} parameter ${name}`, schema, value);
      }
      const requestSchema = operation.spec.requestBody?.content?.['application/json']?.schema;
      if (requestSchema) check(`${operation.method} ${operation.template} request body`, requestSchema, body ?? {});

      if (operation.template === '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs') {
        const wanted = state.workflowRuns.filter(
          (run) =>
            run.workflow === params.workflow_id &&
            run.headSha === (url.searchParams.get('head_sha') ?? run.headSha) &&
            (url.searchParams.get('status') ?? run.conclusion) === run.conclusion,
        );
        const base = sample({ $ref: '#/components/schemas/workflow-run' }) as Record<string, unknown>;
        respond(res, operation, 200, {
          total_count: wanted.length,
          workflow_runs: wanted.map((run, index) => ({
            ...base,
            id: index + 1,
            head_sha: run.headSha,
            status: 'completed',
            conclusion: run.conclusion,
          })),
        });
        return;
      }
      if (operation.template === '/repos/{owner}/{repo}/releases' && req.method === 'POST') {
        const tag = String(body?.tag_name);
        if (state.releases.some((release) => release.tag === tag)) {
          respond(res, operation, 422, {
            message: 'Validation Failed',
            errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }],
            documentation_url: 'https://docs.github.com/rest/releases/releases#create-a-release',
          });
          return;
        }
        const release = {
          tag,
          name: typeof body?.name === 'string' ? body.name : tag,
          body: typeof body?.body === 'string' ? body.body : '',
        };
        state.releases.push(release);
        const base = sample({ $ref: '#/components/schemas/release' }) as Record<string, unknown>;
        respond(res, operation, 201, {
          ...base,
          id: state.releases.length,
          tag_name: tag,
          name: release.name,
          body: release.body,
        });
        return;
      }
      if (operation.template.startsWith('/repos/{owner}/{repo}/git/')) {
        const repository = state.gitData.get(`${params.owner ?? ''}/${params.repo ?? ''}`);
        if (!repository) {
          state.violations.push(`${req.method ?? ''} ${url.pathname}: no Git Data repository set up`);
          respond(res, undefined, 404, { message: 'Not Found' });
          return;
        }
        answerGitData(repository, operation.method, operation.template, params, body, state.url).then(
          (answer) => {
            respond(res, answer.status === 501 ? undefined : operation, answer.status, answer.body);
          },
          (error: unknown) => {
            state.violations.push(`${operation.template}: ${(error as Error).message}`);
            respond(res, undefined, 500, { message: 'stand-in failure' });
          },
        );
        return;
      }
      if (operation.template === '/repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs') {
        const runId = Number(params.run_id);
        const jobs = state.runs.get(runId)?.() ?? [];
        const perPage = Number(url.searchParams.get('per_page') ?? '30');
        const page = Number(url.searchParams.get('page') ?? '1');
        const base = sample({ $ref: '#/components/schemas/job' }) as Record<string, unknown>;
        respond(res, operation, 200, {
          total_count: jobs.length,
          jobs: jobs.slice((page - 1) * perPage, page * perPage).map((job, index) => ({
            ...base,
            ...job,
            id: runId * 1000 + index,
            run_id: runId,
            node_id: `J_fake${runId}_${index}`,
            run_attempt: Number(params.attempt_number),
            url: `${state.url}/repos/${owner}/${repo}/actions/jobs/${runId * 1000 + index}`,
            html_url: `https://github.com/${owner}/${repo}/actions/runs/${runId}/job/${runId * 1000 + index}`,
            run_url: `${state.url}/repos/${owner}/${repo}/actions/runs/${runId}`,
            created_at: job.started_at,
          })),
        });
        return;
      }

      if (operation.template === '/repos/{owner}/{repo}/pulls' && req.method === 'GET') {
        const head = url.searchParams.get('head');
        const base = url.searchParams.get('base');
        const found = state.pulls.filter(
          (pull) => pull.state === 'open' && (!head || `${owner}:${pull.head}` === head) && (!base || pull.base === base),
        );
        respond(
          res,
          operation,
          200,
          found.map((pull) => pullJson(pull, 'pull-request-simple')),
        );
        return;
      }
      if (operation.template === '/repos/{owner}/{repo}/issues' && req.method === 'GET') {
        const wanted = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean);
        const stateWanted = url.searchParams.get('state') ?? 'open';
        const found = state.issues.filter(
          (issue) =>
            (stateWanted === 'all' || issue.state === stateWanted) && wanted.every((label) => issue.labels.includes(label)),
        );
        respond(res, operation, 200, found.map(issueJson));
        return;
      }
      if (operation.template === '/repos/{owner}/{repo}/issues' && req.method === 'POST') {
        const issue = {
          number: nextNumber(),
          title: String(body?.title),
          body: typeof body?.body === 'string' ? body.body : '',
          labels: ((body?.labels ?? []) as string[]).map(String),
          state: 'open' as const,
          comments: [],
        };
        state.issues.push(issue);
        respond(res, operation, 201, issueJson(issue));
        return;
      }
      const issue = state.issues.find((entry) => entry.number === Number(params.issue_number));
      if (operation.template === '/repos/{owner}/{repo}/issues/{issue_number}/comments' && req.method === 'POST') {
        if (!issue) {
          respond(res, operation, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
          return;
        }
        issue.comments.push(String(body?.body));
        const comment = sample({ $ref: '#/components/schemas/issue-comment' }) as Record<string, unknown>;
        respond(res, operation, 201, { ...comment, id: 9000 + issue.comments.length, body: String(body?.body) });
        return;
      }
      if (operation.template === '/repos/{owner}/{repo}/issues/{issue_number}' && req.method === 'PATCH') {
        if (!issue) {
          respond(res, operation, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
          return;
        }
        if (body?.state === 'open' || body?.state === 'closed') issue.state = body.state;
        respond(res, operation, 200, issueJson(issue));
        return;
      }
      if (operation.template === '/repos/{owner}/{repo}/pulls' && req.method === 'POST') {
        // GitHub refuses a second open PR for the same head and base with a 422.
        if (state.pulls.some((pull) => pull.state === 'open' && pull.head === body?.head && pull.base === body?.base)) {
          respond(res, operation, 422, {
            message: 'Validation Failed',
            errors: [
              {
                resource: 'PullRequest',
                code: 'custom',
                message: `A pull request already exists for ${owner}:${String(body?.head)}.`,
              },
            ],
            documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
          });
          return;
        }
        const pull = {
          number: nextNumber(),
          head: String(body?.head),
          base: String(body?.base),
          title: String(body?.title),
          body: typeof body?.body === 'string' ? body.body : '',
          labels: [],
          state: 'open',
        };
        state.pulls.push(pull);
        // An injected fault: the PR was made, but the answer says 502 (a lost response).
        const fault = state.createFaults.shift();
        if (fault !== undefined) {
          respond(res, undefined, fault, { message: 'Server Error' });
          return;
        }
        respond(res, operation, 201, pullJson(pull, 'pull-request'));
        return;
      }
      if (operation.template === '/repos/{owner}/{repo}/pulls/{pull_number}' && req.method === 'PATCH') {
        const pull = state.pulls.find((entry) => entry.number === Number(params.pull_number));
        if (!pull) {
          respond(res, operation, 404, { message: 'Not Found' });
          return;
        }
        if (typeof body?.title === 'string') pull.title = body.title;
        if (typeof body?.body === 'string') pull.body = body.body;
        respond(res, operation, 200, pullJson(pull, 'pull-request'));
        return;
      }
      if (operation.template === '/repos/{owner}/{repo}/issues/{issue_number}/labels' && req.method === 'POST') {
        const pull = state.pulls.find((entry) => entry.number === Number(params.issue_number));
        if (!pull) {
          respond(res, operation, 404, { message: 'Not Found' });
          return;
        }
        const labels = (body?.labels ?? []) as string[];
        pull.labels = [...new Set([...pull.labels, ...labels])] as never[];
        const label = sample({ $ref: '#/components/schemas/label' }) as Record<string, unknown>;
        respond(
          res,
          operation,
          200,
          pull.labels.map((name, index) => ({ ...label, id: index + 1, name })),
        );
        return;
      }
      state.violations.push(`${req.method ?? ''} ${operation.template}: not implemented by the fake`);
      respond(res, undefined, 501, { message: 'not implemented' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        resolve();
      });
    });
  return state;
}
