// The classifications the trust fixes rest on: refs that can never be options, pushes that
// are final, and faults that are transient only where the text really says so.
import { describe, expect, it } from 'vitest';
import { classifyPushFailure, isTransientGitFailure } from '../../actions/gitops-bump/workspace.js';
import { isTransientBuildxFailure, isTransientDockerFailure } from '../../packages/shared/docker.js';
import { checkCommitish, isRefName } from '../../packages/shared/git-ref.js';
import { Inputs } from '../../packages/shared/inputs.js';
import { excerpt, registerSecret } from '../../packages/shared/secrets.js';

describe('ref names', () => {
  it('accept what git check-ref-format --allow-onelevel accepts, never a leading -', () => {
    for (const good of ['main', 'release/1.2', 'HEAD', 'feature/x-y_z', 'v1.2.3']) expect(isRefName(good), good).toBe(true);
    for (const bad of [
      '-x',
      '--upload-pack=touch /tmp/x;',
      'a..b',
      'a b',
      'a~1',
      'a^',
      'a:b',
      'a?',
      'a*',
      'a[',
      'a\\b',
      '/a',
      'a/',
      'a//b',
      'a.',
      '.a',
      'a/.b',
      'a.lock',
      'a@{1}',
      '@',
      'a\nb',
    ]) {
      expect(isRefName(bad), JSON.stringify(bad)).toBe(false);
    }
    expect(checkCommitish('base', 'abc1234')).toBe('abc1234');
    expect(() => checkCommitish('base', '--upload-pack=touch /tmp/x;')).toThrow(
      `input 'base' must be a commit SHA or a branch or tag name (not starting with "-"); got "--upload-pack=touch /tmp/x;"`,
    );
  });
});

describe('a failed git push', () => {
  it('is final when the server refused it on purpose', () => {
    expect(classifyPushFailure('!\trefs/heads/main:refs/heads/main\t[remote rejected] (protected branch hook declined)')).toEqual(
      {
        kind: 'final',
        reason: 'protected branch hook declined',
      },
    );
    expect(classifyPushFailure(' ! [remote rejected] main -> main (pre-receive hook declined)')).toMatchObject({ kind: 'final' });
  });

  it("keeps a few short lines of what the server's hook said, for the one error line", () => {
    const output = [
      'remote: deploys are frozen until Monday',
      `remote: ${'x'.repeat(500)}`,
      'remote: see #freeze',
      'remote: one line too many',
      'To https://github.com/omis/platform-gitops.git',
      ' ! [remote rejected] main -> main (pre-receive hook declined)',
    ].join('\n');
    expect(classifyPushFailure(output)).toEqual({
      kind: 'final',
      reason: `pre-receive hook declined; the server said: deploys are frozen until Monday / ${'x'.repeat(200)} / see #freeze`,
    });
  });

  it('is a lost race when another push won, and transient on a server fault', () => {
    expect(classifyPushFailure('!\tHEAD:refs/heads/main\t[rejected] (fetch first)')).toEqual({ kind: 'lost-race' });
    expect(classifyPushFailure(" ! [remote rejected] main -> main (cannot lock ref 'refs/heads/main')")).toEqual({
      kind: 'lost-race',
    });
    expect(classifyPushFailure("fatal: unable to access 'https://h/r.git/': The requested URL returned error: 503")).toEqual({
      kind: 'transient',
    });
  });

  it('reads status codes only where git reports an HTTP status, not in a port', () => {
    expect(
      isTransientGitFailure("fatal: unable to access 'http://127.0.0.1:5003/r.git/': The requested URL returned error: 403"),
    ).toBe(false);
    expect(isTransientGitFailure('error: RPC failed; HTTP 429 curl 22 The requested URL returned error: 429')).toBe(true);
    expect(isTransientGitFailure('fatal: the remote end hung up unexpectedly')).toBe(true);
  });
});

describe('a failed docker step', () => {
  it('retries buildx only when the push failed, not a RUN that printed 503 or EOF', () => {
    const run = [
      '#7 [3/3] RUN curl http://api/health',
      '#7 0.3 curl: (22) The requested URL returned error: 503',
      '#7 0.3 unexpected EOF',
      'ERROR: failed to solve: process "/bin/sh -c curl http://api/health" did not complete successfully: exit code: 22',
    ].join('\n');
    expect(isTransientBuildxFailure(run)).toBe(false);
    const push = [
      '#9 exporting to image',
      '#9 pushing layers',
      'ERROR: failed to solve: failed to push 127.0.0.1:5000/a:1: unexpected status from PUT request: 503 Service Unavailable',
    ].join('\n');
    expect(isTransientBuildxFailure(push)).toBe(true);
    // A blob the registry lost in the push (seen in CI: the image and its cache pushing one
    // layer at once) is pushed afresh; the same words in a RUN's output are not a push.
    const lost =
      'ERROR: failed to build: failed to solve: failed to push 127.0.0.1:40813/omis-pc/secret:3333: errors: | unknown: provided digest did not match uploaded content | unknown: blob unknown to registry - sha256:f18f';
    expect(isTransientBuildxFailure(lost)).toBe(true);
    expect(isTransientBuildxFailure(`#7 0.3 blob unknown to registry\n${run.split('\n').at(-1) ?? ''}`)).toBe(false);
    expect(isTransientDockerFailure('digest invalid: provided digest did not match uploaded content')).toBe(true);
    expect(isTransientDockerFailure('denied: requested access to the resource is denied')).toBe(false);
    expect(isTransientDockerFailure('dial tcp 127.0.0.1:5003: i/o timeout')).toBe(true);
    expect(isTransientDockerFailure('Get "http://127.0.0.1:5003/v2/": denied')).toBe(false);
    expect(isTransientDockerFailure('error parsing 127.0.0.1:503/x')).toBe(false);
  });
});

describe('secrets in excerpts', () => {
  it('are redacted before the cut, so no prefix of one survives', () => {
    const token = 'tok_' + 'x'.repeat(72);
    registerSecret(token);
    const text = `{"echo":"${token}"}`;
    expect(excerpt(text, 40)).toBe('{"echo":"***"}');
    expect(excerpt(`${'a'.repeat(20)}${token}`, 30)).not.toContain('tok_x');
  });

  it('and one-line inputs refuse line breaks', () => {
    const inputs = new Inputs((name) => ({ target: 'runtime\n--push', token: 'abc\ndef' })[name] ?? '');
    expect(() => inputs.string('target')).toThrow(`input 'target' must be a single line with no control characters`);
    expect(() => inputs.secret('token')).toThrow(`input 'token' must be a single line with no control characters`);
  });
});
