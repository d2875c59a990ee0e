// deploy-report's bundle, run as the runner runs it. FAKES: a loopback webhook receiver (in
// place of Slack and Teams), and GitHub's REST API (test/support/fake-github.ts, every
// request and answer checked against @octokit/openapi). The oracles are the official
// libraries: Slack's Block Kit limits on top of its types (@slack/types, at compile time in
// notify.ts), Microsoft's Adaptive Cards parser (adaptivecards), and Mermaid's own parser
// (mermaid, in jsdom) for the gantt block GitHub renders.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../packages/runner/harness.js';
import { installDom } from '../support/dom.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github.js';
import { startServer, type TestServer } from '../support/http-server.js';
import { failure, runAction, succeeded } from '../support/run-action.js';

const TOKEN = 'ghs_reportToken1234567890abcdefghijklmn';
const HOOK_SECRET = 'B0AAAA/XyzzyWebhookSecret42';
const SHA = 'c0ffee'.padEnd(40, '0');
const SERVICES = [
  {
    service: 'frontend',
    image: `omisacr.azurecr.io/omis-pc/frontend:${SHA}`,
    digest: `sha256:${'a'.repeat(64)}`,
    url: 'https://omis.example/',
  },
  { service: 'backend', image: `omisacr.azurecr.io/omis-pc/backend:${SHA}`, digest: `sha256:${'b'.repeat(64)}` },
];
const PHASES = [
  { name: 'changes', started: '2026-11-23T10:00:00Z', finished: '2026-11-23T10:00:08Z', result: 'success' },
  { name: 'build frontend', started: '2026-11-23T10:00:09Z', finished: '2026-11-23T10:01:30Z', result: 'success' },
  { name: 'build backend', started: '2026-11-23T10:00:10Z', finished: '2026-11-23T10:01:02Z', result: 'success' },
  { name: 'deploy', started: '2026-11-23T10:01:31Z', finished: '2026-11-23T10:02:10Z', result: 'success' },
  { name: 'gate', started: '2026-11-23T10:02:10Z', finished: '2026-11-23T10:03:10Z', result: 'failure' },
  { name: 'rollback', started: '2026-11-23T10:03:11Z', finished: '2026-11-23T10:03:40Z', result: 'success' },
  { name: 'notify: skipped', started: '2026-11-23T10:03:40Z', finished: '2026-11-23T10:03:40Z', result: 'skipped' },
];

interface Received {
  path: string;
  body: unknown;
}

describe('deploy-report', () => {
  let receiver: TestServer;
  let received: Received[];
  let answers: { status: number; headers?: Record<string, string> }[];
  let github: FakeGitHub;

  beforeAll(async () => {
    received = [];
    answers = [];
    receiver = await startServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
        const answer = answers.shift() ?? { status: 200 };
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers }).end(answer.status < 300 ? 'ok' : 'no');
      });
    });
  });
  afterAll(async () => {
    await receiver.close();
  });
  afterEach(async () => {
    received.length = 0;
    answers.length = 0;
    await github?.close();
  });

  const hook = () => `${receiver.url}/services/T0AAAA/${HOOK_SECRET}`;
  const report = (inputs: Record<string, string>, env: Record<string, string> = {}): Promise<RunResult> =>
    runAction(
      'deploy-report',
      {
        environment: 'production',
        option: 'c',
        services: JSON.stringify(SERVICES),
        phases: JSON.stringify(PHASES),
        ...inputs,
      },
      {
        env: {
          GITHUB_REPOSITORY: 'omis/product-configurator',
          GITHUB_SERVER_URL: 'https://github.com',
          GITHUB_RUN_ID: '4242',
          GITHUB_RUN_ATTEMPT: '2',
          GITHUB_SHA: SHA,
          GITHUB_TOKEN: TOKEN,
          ...env,
        },
      },
    );
  /** Neither secret appears anywhere the runner would not mask: log, summary, outputs. */
  const expectNoSecret = (result: RunResult, hookGiven = true) => {
    const printed = result.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    for (const text of [printed, result.stderr, result.summary, JSON.stringify(result.outputs)]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(HOOK_SECRET);
      expect(text).not.toContain(receiver.url.replace('http://', ''));
    }
    expect(result.masks).toContain(TOKEN);
    if (hookGiven) expect(result.masks).toContain(hook());
  };

  it('posts one Slack Block Kit message within its limits', async () => {
    const result = succeeded(
      await report({
        outcome: 'rolled-back',
        reason: 'backend: status 404 <not in> 200-299 & gave up',
        'notify-url': hook(),
        'notify-kind': 'slack',
      }),
    );
    expect(result.outputs).toMatchObject({ notified: 'true', 'issue-action': 'none' });
    expect(received).toHaveLength(1);
    const message = received[0]!.body as { text: string; blocks: Record<string, unknown>[] };
    expect(message.text).toBe('production: ROLLED BACK (option C): backend: status 404 &lt;not in&gt; 200-299 &amp; gave up');
    // Block Kit's documented limits (the types are checked at compile time in notify.ts).
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const header = message.blocks[0] as { type: string; text: { type: string; text: string } };
    expect(header).toEqual({ type: 'header', text: { type: 'plain_text', text: 'production: ROLLED BACK (option C)' } });
    const sections = message.blocks.filter((block) => block.type === 'section') as {
      text?: { text: string };
      fields?: { type: string; text: string }[];
    }[];
    for (const section of sections) {
      expect((section.fields ?? []).length).toBeLessThanOrEqual(10);
      expect(section.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
    }
    expect(sections[1]?.fields?.map((field) => field.text)).toEqual([
      `*frontend*\n\`${SHA.slice(0, 19)} (sha256:aaaaaaaaaaaa)\``,
      `*backend*\n\`${SHA.slice(0, 19)} (sha256:bbbbbbbbbbbb)\``,
    ]);
    const actions = message.blocks.find((block) => block.type === 'actions') as { elements: { url: string }[] };
    expect(actions.elements.map((button) => button.url)).toEqual([
      'https://github.com/omis/product-configurator/actions/runs/4242/attempts/2',
      'https://github.com/omis/product-configurator/deployments/production',
    ]);
    expectNoSecret(result);
  });

  it('posts a Teams Adaptive Card that Microsoft’s parser takes without a warning', async () => {
    const result = succeeded(
      await report({ outcome: 'failed', reason: 'gate failed', 'notify-url': hook(), 'notify-kind': 'teams' }),
    );
    const message = received[0]!.body as {
      type: string;
      attachments: { contentType: string; content: Record<string, unknown> }[];
    };
    expect(message.type).toBe('message');
    expect(message.attachments).toHaveLength(1);
    expect(message.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    installDom();
    const cards = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as typeof import('adaptivecards');
    const card = new cards.AdaptiveCard();
    const context = new cards.SerializationContext();
    card.parse(message.attachments[0]!.content, context);
    const events = Array.from({ length: context.eventCount }, (_, index) => context.getEventAt(index).message);
    expect(events).toEqual([]);
    expect(card.validateProperties().validationEvents.map((event) => event.message)).toEqual([]);
    expect(card.version?.toString()).toBe('1.4');
    expect(card.getActionCount()).toBe(2);
    const text = JSON.stringify(message.attachments[0]!.content);
    for (const part of ['production: FAILED (option C)', 'gate failed', 'frontend', 'backend']) expect(text).toContain(part);
    expectNoSecret(result);
  });

  it('writes a summary whose Mermaid gantt Mermaid parses into the phases', async () => {
    const result = succeeded(await report({ outcome: 'rolled-back', reason: 'the gate failed' }));
    const block = /```mermaid\n([\s\S]*?)\n```/.exec(result.summary)?.[1];
    expect(block).toBeDefined();
    installDom();
    const { default: mermaid } = await import('mermaid');
    expect(await mermaid.parse(block!)).toMatchObject({ diagramType: 'gantt' });
    // parse() says only the type; the bars are in the diagram's db, which only this API returns.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(block!);
    const tasks = (
      diagram.db as unknown as { getTasks: () => { section: string; task: string; startTime: Date; endTime: Date }[] }
    ).getTasks();
    const shown = PHASES.filter((phase) => phase.result !== 'skipped');
    expect(tasks.map((task) => [task.section, task.startTime.toISOString(), task.endTime.toISOString()])).toEqual(
      shown.map((phase) => [phase.name, new Date(phase.started).toISOString(), new Date(phase.finished).toISOString()]),
    );
    expect(tasks.find((task) => task.section === 'build frontend')?.task.trim()).toBe('build frontend (1 min 21 s)');
    expect(result.summary).toContain('| notify: skipped | skipped | 0 s |');
    expect(result.summary).toContain(`| backend | ${SHA.slice(0, 19)} (sha256:bbbbbbbbbbbb) |`);
    expect(result.summary).toContain('**Reason:** the gate failed');
  });

  it('merges what the matrix legs left in report-dir with the inputs, phases in order of their start', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'report-'));
    try {
      mkdirSync(join(workspace, 'report'));
      for (const phase of PHASES.filter((each) => each.name.startsWith('build '))) {
        const service = SERVICES.find((each) => phase.name === `build ${each.service}`);
        writeFileSync(
          join(workspace, 'report', `${phase.name.replace(' ', '-')}.json`),
          JSON.stringify({ phases: [phase], services: [service] }),
        );
      }
      const result = succeeded(
        await runAction(
          'deploy-report',
          {
            environment: 'production',
            outcome: 'deployed',
            phases: JSON.stringify(PHASES.filter((each) => !each.name.startsWith('build '))),
            'report-dir': 'report',
          },
          { cwd: workspace },
        ),
      );
      const rows = result.summary.split('\n').filter((line) => /^\| (changes|build|deploy|gate|rollback|notify)/.test(line));
      expect(rows.map((row) => row.split(' | ')[0]!.slice(2))).toEqual(PHASES.map((phase) => phase.name));
      expect(result.summary).toContain(`| frontend | ${SHA.slice(0, 19)} (sha256:aaaaaaaaaaaa) |`);
      expect(result.summary).toContain(`| backend | ${SHA.slice(0, 19)} (sha256:bbbbbbbbbbbb) |`);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('warns, never fails, when the webhook will not take the message; retries a 429 with its Retry-After', async () => {
    answers.push({ status: 429, headers: { 'retry-after': '1' } }, { status: 200 });
    const retried = succeeded(await report({ outcome: 'failed', 'notify-url': hook(), 'notify-kind': 'json' }));
    expect(retried.outputs.notified).toBe('true');
    expect(received).toHaveLength(2);
    expect(received[1]!.body).toMatchObject({
      environment: 'production',
      outcome: 'failed',
      option: 'c',
      services: [{ service: 'frontend', digest: `sha256:${'a'.repeat(64)}` }, { service: 'backend' }],
      links: { run: 'https://github.com/omis/product-configurator/actions/runs/4242/attempts/2' },
    });
    received.length = 0;
    answers.push({ status: 400 });
    const refused = await report({ outcome: 'failed', 'notify-url': hook(), 'notify-kind': 'json' });
    expect(refused.exitCode).toBe(0);
    expect(refused.outputs.notified).toBe('false');
    expect(refused.annotations).toEqual([
      {
        level: 'warning',
        message: 'deploy-report: the json message was not delivered: the webhook answered HTTP 400: "no"',
      },
    ]);
    expectNoSecret(refused);
  });

  it('sends nothing when notify-on does not match, or in a dry run', async () => {
    const quiet = succeeded(await report({ outcome: 'deployed', 'notify-url': hook(), 'notify-kind': 'slack' }));
    expect(quiet.outputs.notified).toBe('false');
    github = await startFakeGitHub('omis', 'product-configurator', TOKEN);
    const dry = succeeded(
      await report(
        { outcome: 'failed', 'notify-url': hook(), 'notify-kind': 'slack', 'alert-issue': 'true', 'dry-run': 'true' },
        { GITHUB_API_URL: github.url },
      ),
    );
    expect(received).toEqual([]);
    expect(github.requests).toEqual([]);
    expect(dry.log).toContain('dry-run: would post this slack message to the webhook:');
    expect(dry.log).toContain('dry-run: would comment on the open issue "Deploy to production failing"');
    expectNoSecret(dry);
  });

  it('opens one alert issue, comments on later failures, and closes it on the next good release', async () => {
    github = await startFakeGitHub('omis', 'product-configurator', TOKEN);
    const env = { GITHUB_API_URL: github.url };
    const opened = succeeded(await report({ outcome: 'failed', reason: 'gate failed', 'alert-issue': 'true' }, env));
    expect(opened.outputs).toMatchObject({
      'issue-action': 'opened',
      'issue-url': 'https://github.com/omis/product-configurator/issues/1',
    });
    const again = succeeded(await report({ outcome: 'rolled-back', reason: 'gate failed again', 'alert-issue': 'true' }, env));
    expect(again.outputs['issue-action']).toBe('commented');
    // Another environment has its own issue.
    const staging = succeeded(
      await report({ environment: 'staging', outcome: 'failed', reason: 'x', 'alert-issue': 'true' }, env),
    );
    expect(staging.outputs['issue-action']).toBe('opened');
    const closed = succeeded(await report({ outcome: 'deployed', 'alert-issue': 'true' }, env));
    expect(closed.outputs['issue-action']).toBe('closed');
    const nothing = succeeded(await report({ outcome: 'deployed', 'alert-issue': 'true' }, env));
    expect(nothing.outputs['issue-action']).toBe('none');

    expect(github.violations).toEqual([]);
    const [production, stagingIssue] = github.issues;
    expect(production).toMatchObject({ title: 'Deploy to production failing', labels: ['deploy-alert'], state: 'closed' });
    expect(production!.body).toContain('**Reason:** gate failed');
    expect(production!.body).toContain('[the run](https://github.com/omis/product-configurator/actions/runs/4242/attempts/2)');
    expect(production!.body).toContain('| frontend |');
    expect(production!.comments).toHaveLength(2);
    expect(production!.comments[0]).toContain('gate failed again');
    expect(production!.comments[1]).toMatch(/^Deployed successfully: closing\./);
    expect(stagingIssue).toMatchObject({ title: 'Deploy to staging failing', state: 'open' });
    for (const result of [opened, again, closed]) expectNoSecret(result, false);
  });

  it('fails, naming the call, when the alert issue cannot be written', async () => {
    github = await startFakeGitHub('omis', 'product-configurator', 'another-token');
    const result = await report({ outcome: 'failed', 'alert-issue': 'true' }, { GITHUB_API_URL: github.url });
    expect(failure(result)).toMatch(
      /^deploy-report failed: GitHub alert issue "Deploy to production failing" failed \(HTTP 401\): Bad credentials/,
    );
    expect(result.summary).toContain('### Release production: FAILED (option C)');
  });
});
