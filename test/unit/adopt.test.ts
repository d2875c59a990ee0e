// scripts/adopt.mjs on a copy of this repository's own tracked files: every placeholder is
// rewritten, the workflows still parse to the same jobs, and a bad target changes nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/actions.mjs';

const tracked = () =>
  execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((path) => path && !path.startsWith('dist/') && path !== 'package-lock.json');

describe('scripts/adopt.mjs', () => {
  let copy: string;
  const adopt = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, 'scripts', 'adopt.mjs'), ...args], { cwd: copy, encoding: 'utf8' });
  const grep = () => spawnSync('git', ['grep', '-l', 'org/deploy-actions'], { cwd: copy, encoding: 'utf8' }).stdout.trim();

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'adopt-'));
    execFileSync('git', ['init', '-q', copy]);
    for (const path of tracked()) cpSync(join(ROOT, path), join(copy, path), { recursive: true });
    execFileSync('git', ['add', '-A'], { cwd: copy });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'copy'], { cwd: copy });
  });
  afterAll(() => {
    rmSync(copy, { recursive: true, force: true });
  });

  it('refuses a bad target with one line and changes nothing', () => {
    for (const bad of ['contoso', '../x/y', 'a b/c', 'contoso/..', 'contoso/deploy/extra', '-bad/x']) {
      const result = adopt(bad);
      expect(result.status).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain('adopt: the target must be <owner>/<repository>');
    }
    expect(spawnSync('git', ['status', '--porcelain'], { cwd: copy, encoding: 'utf8' }).stdout).toBe('');
  });

  it('dry-run lists, then the run rewrites every placeholder; workflows keep their shape', () => {
    const before = readFileSync(join(copy, '.github/workflows/option-c-aks.yml'), 'utf8');
    const dry = adopt('contoso/platform-deploy', '--dry-run');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('would rewrite .github/workflows/option-c-aks.yml');
    expect(grep()).not.toBe('');

    const result = adopt('contoso/platform-deploy');
    expect(result.status).toBe(0);
    expect(grep()).toBe('');
    const after = readFileSync(join(copy, '.github/workflows/option-c-aks.yml'), 'utf8');
    expect(after).toContain('uses: contoso/platform-deploy/helm-deploy@v1');
    expect(after).toContain('uses: contoso/platform-deploy/.github/workflows/build.yml@v1');
    // Only the references changed: same jobs, same steps, same inputs.
    const shape = (text: string) => JSON.stringify(parse(text.replaceAll('contoso/platform-deploy', 'org/deploy-actions')));
    expect(shape(after)).toBe(shape(before));
    expect(readFileSync(join(copy, 'examples/omis-sample/.github/workflows/deploy-aks.yml'), 'utf8')).toContain(
      'contoso/platform-deploy/.github/workflows/option-c-aks.yml@v1',
    );
    expect(readFileSync(join(copy, '.github/CODEOWNERS'), 'utf8')).toContain('@contoso/deploy-actions-maintainers');
    expect(readFileSync(join(copy, '.github/CODEOWNERS'), 'utf8')).not.toContain('@org/');
    expect(dirname(copy)).toBe(tmpdir());
  });
});
