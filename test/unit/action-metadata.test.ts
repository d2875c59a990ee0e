import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseFileCommands, parseWorkflowCommand } from '../../packages/runner/file-commands.js';
import { listActions, readActionYaml } from '../../scripts/actions.mjs';
import { renderCatalog } from '../../scripts/catalog.mjs';

describe.each(listActions())('%s/action.yml', (name) => {
  const spec = readActionYaml(name);

  it('runs the committed node24 bundle', () => {
    expect(spec.runs).toMatchObject({ using: 'node24', main: `../dist/${name}/index.js` });
    expect(readFileSync(`dist/${name}/index.js`, 'utf8').length).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(`dist/${name}/package.json`, 'utf8'))).toEqual({ type: 'module' });
  });

  it('declares the same defaults as the code', async () => {
    const { DEFAULTS } = (await import(`../../actions/${name}/config.ts`)) as { DEFAULTS: Record<string, string> };
    const declared = Object.fromEntries(
      Object.entries(spec.inputs ?? {})
        // An expression default (`${{ github.token }}`) is the runner's to fill in, not the code's.
        .filter(([, input]) => input.default !== undefined && !String(input.default).includes('${{'))
        .map(([input, def]) => [input, String(def.default)]),
    );
    expect(DEFAULTS).toEqual(declared);
  });

  it('describes every input and output, and the catalog lists them', () => {
    const catalog = renderCatalog();
    for (const [input, def] of Object.entries(spec.inputs ?? {})) {
      expect(def.description, input).toBeTruthy();
      expect(catalog).toContain(`| \`${input}\` |`);
    }
    for (const [output, def] of Object.entries(spec.outputs ?? {})) {
      expect(def.description, output).toBeTruthy();
      expect(catalog).toContain(`| \`${output}\` |`);
    }
  });
});

describe('health-gate interface', () => {
  it('has exactly the inputs and outputs of its issue', () => {
    const spec = parse(readFileSync('health-gate/action.yml', 'utf8')) as { inputs: object; outputs: object };
    expect(Object.keys(spec.inputs)).toEqual([
      'url',
      // issue 23: a release's per-service expectations, read here and nowhere else.
      'services',
      'base-url',
      'changed-services',
      'method',
      'headers',
      'secret-headers',
      'expect-status',
      'expect-body',
      'expect-json',
      'timeout',
      'interval',
      'request-timeout',
      'initial-delay',
      'success-threshold',
      'failure-threshold',
      'concurrency',
      'max-latency-ms',
      'fail-on-unhealthy',
    ]);
    expect(Object.keys(spec.outputs)).toEqual([
      'healthy',
      'probes',
      'successes',
      'failures',
      'p95-ms',
      'reason',
      'url',
      'report',
    ]);
  });
});

describe('runner file commands', () => {
  it('reads name=value lines and heredoc blocks', () => {
    const text = 'a=1\nreport<<ghadelimiter_x\n{"x":\n1}\nghadelimiter_x\nempty=\n';
    expect(parseFileCommands(text)).toEqual({ a: '1', report: '{"x":\n1}', empty: '' });
    expect(() => parseFileCommands('b<<EOF\nno end')).toThrow('unterminated');
  });

  it('reads workflow commands with escaped data', () => {
    expect(parseWorkflowCommand('::error title=A%3AB::line1%0Aline2 100%25')).toEqual({
      command: 'error',
      properties: { title: 'A:B' },
      message: 'line1\nline2 100%',
    });
    expect(parseWorkflowCommand('plain text')).toBeUndefined();
  });
});
