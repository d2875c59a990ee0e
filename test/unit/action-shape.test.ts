// The one shape every action follows (README "Adding an action"), and the import rules.
import { existsSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importGraph, importProblems } from '../../scripts/import-graph.mjs';
import { listActions } from '../../scripts/actions.mjs';

describe.each(listActions())('%s has the shape of every action', (name) => {
  const dir = join('actions', name);

  it('has config.ts with readConfig and DEFAULTS', async () => {
    const config = (await import(`../../actions/${name}/config.ts`)) as Record<string, unknown>;
    expect(typeof config.readConfig).toBe('function');
    expect(typeof config.DEFAULTS).toBe('object');
  });

  it('has an index.ts that only hands main (and post) to runAction', () => {
    const index = readFileSync(join(dir, 'index.ts'), 'utf8');
    // Helper modes (helm-deploy's kubeconfig credential plugin) are named in runAction's call.
    expect(index).toMatch(new RegExp(`^await runAction\\('${name}', main(, post(, \\{ [a-z]+: [a-zA-Z]+ \\})?)?\\);$`, 'm'));
    expect(index.split('\n').filter((line) => line.trim() !== '')).toHaveLength(3);
  });

  it('keeps main.ts to reading config, calling functions and writing outputs', () => {
    const main = readFileSync(join(dir, 'main.ts'), 'utf8');
    expect(main.split('\n').length).toBeLessThanOrEqual(60);
    expect(main).toMatch(/readConfig\(/);
    expect(existsSync(join(name, 'README.md'))).toBe(true);
  });
});

describe('import rules', () => {
  it('hold for the source', () => {
    expect(importProblems(importGraph())).toEqual([]);
  });

  it('catch a cycle, a cross-action import and shared code importing an action', () => {
    const a = ['actions', 'a', 'x.ts'].join(sep);
    const b = ['actions', 'b', 'y.ts'].join(sep);
    const shared = ['packages', 'shared', 'z.ts'].join(sep);
    const problems = importProblems(
      new Map([
        [a, [b]],
        [b, [shared]],
        [shared, [a]],
      ]),
    );
    expect(problems).toEqual([
      `${a} imports ${b}: an action may not import another action; move it to packages/shared`,
      `${shared} imports ${a}: packages/shared may import only packages/shared`,
      `import cycle: ${a} -> ${b} -> ${shared} -> ${a}`,
    ]);
  });
});

describe('ensure: a dockerd that cannot start', () => {
  it('says in one line which daemon is in the way and how to fix it', async () => {
    const { explainDockerdFailure } = await import('../../scripts/ensure.mjs');
    // Both lines are what Debian's dockerd 26 prints when another daemon already runs.
    expect(
      explainDockerdFailure(
        'level=info msg="Starting up"\nfailed to start daemon: pid file found, ensure docker is not running or delete /var/run/docker.pid',
      ),
    ).toMatch(/^another dockerd holds \/var\/run\/docker\.pid .*pkill dockerd/);
    expect(
      explainDockerdFailure(
        'level=warning msg="[core] grpc: addrConn.createTransport failed to connect to {unix:///var/run/docker/containerd/containerd.sock}. Err: connection error: desc = \\"transport: error while dialing: dial unix:///var/run/docker/containerd/containerd.sock: timeout\\"."',
      ),
    ).toMatch(/^containerd is held by another Docker daemon/);
    expect(explainDockerdFailure('level=info msg="Starting up"')).toBeUndefined();
  });
});
