// A retried push's last git call cannot run past the action's `timeout` (issue 24): each
// call of a Git with a deadline gets only what is left of it (at least a second).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Git } from '../../packages/shared/git.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

it('kills a git call at the deadline, not after its own ten minutes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'git-deadline-'));
  dirs.push(dir);
  const git = new Git(dir, { deadline: Date.now() + 1500 });
  const started = Date.now();
  // A shell alias that hangs, as a silent remote would.
  const result = await git.run(['-c', 'alias.hang=!sleep 20', 'hang']);
  expect(result.code).not.toBe(0);
  expect(Date.now() - started).toBeLessThan(6000);
});
