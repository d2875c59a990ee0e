// STAND-IN: GitHub's Git Data API (blobs, trees, commits, refs) over a real bare repository,
// the one support/git-http.ts serves, so what the API makes is what a clone then fetches.
// It follows GitHub's REST reference: blobs and trees are content addresses (git's own),
// a commit made without an author or committer is GitHub's, signed by GitHub ("web-flow") and
// reported `verification.verified`, and a ref moves forward only unless `force` is given
// (422 "Update is not a fast forward"). GitHub signs with its GPG key; this stand-in signs
// with an SSH key of its own (git's gpg.format ssh) so a test verifies with real git.
// fake-github.ts routes the requests here and checks them and the answers against @octokit/openapi.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GitDataRepo {
  /** The bare repository the API writes to. */
  gitDir: string;
  /** The private key GitHub's commits are signed with (the public half verifies them). */
  signingKeyFile: string;
  /** Runs once before the next ref update: another writer landing first, say. */
  beforeRefUpdate?: (() => Promise<void>) | undefined;
  /** Commits the API made, in order. */
  commits: string[];
}

export interface GitDataAnswer {
  status: number;
  body: unknown;
}

const WEB_FLOW = { name: 'GitHub', email: 'noreply@github.com' };
const BOT = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' };

function git(
  gitDir: string,
  args: string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      ['--git-dir', gitDir, ...args],
      { env: { ...process.env, ...options.env }, maxBuffer: 64 * 1024 * 1024, encoding: 'buffer' },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`git ${args[0] ?? ''}: ${stderr.toString('utf8').trim() || error.message}`));
        else resolve(stdout.toString('utf8').trim());
      },
    );
    child.stdin?.end(options.input);
  });
}

const unprocessable = (message: string): GitDataAnswer => ({
  status: 422,
  body: { message, documentation_url: 'https://docs.github.com/rest/git' },
});

/**
 * Answers one Git Data operation (`template` as in the OpenAPI description) for `repo`;
 * `url` is the API's base, for the `url` fields GitHub fills in.
 */
export async function answerGitData(
  repo: GitDataRepo,
  method: string,
  template: string,
  params: Record<string, string>,
  body: Record<string, unknown> | undefined,
  url: string,
): Promise<GitDataAnswer> {
  const base = `${url}/repos/${params.owner ?? ''}/${params.repo ?? ''}/git`;
  const refJson = (ref: string, sha: string) => ({
    ref,
    node_id: `REF_${sha.slice(0, 12)}`,
    url: `${base}/${ref}`,
    object: { type: 'commit', sha, url: `${base}/commits/${sha}` },
  });
  const readRef = async (ref: string) => {
    try {
      return await git(repo.gitDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    } catch {
      return '';
    }
  };

  if (method === 'POST' && template.endsWith('/git/blobs')) {
    const content = typeof body?.content === 'string' ? body.content : '';
    const bytes = body?.encoding === 'base64' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8');
    const sha = await git(repo.gitDir, ['hash-object', '-w', '--stdin'], { input: bytes });
    return { status: 201, body: { sha, url: `${base}/blobs/${sha}` } };
  }

  if (method === 'POST' && template.endsWith('/git/trees')) {
    // A temporary index: the base tree read in, each entry set or (sha null) removed.
    const folder = mkdtempSync(join(tmpdir(), 'fake-github-tree-'));
    const env = { GIT_INDEX_FILE: join(folder, 'index') };
    try {
      const baseTree = typeof body?.base_tree === 'string' ? body.base_tree : undefined;
      await git(repo.gitDir, baseTree ? ['read-tree', baseTree] : ['read-tree', '--empty'], { env });
      const entries = (body?.tree ?? []) as { path: string; mode: string; sha?: string | null; content?: string }[];
      const lines: string[] = [];
      for (const entry of entries) {
        if (entry.content !== undefined) return unprocessable('this stand-in takes blob SHAs, not content');
        lines.push(entry.sha === null ? `0 ${'0'.repeat(40)}\t${entry.path}` : `${entry.mode} ${entry.sha ?? ''}\t${entry.path}`);
      }
      await git(repo.gitDir, ['update-index', '--index-info'], { env, input: `${lines.join('\n')}\n` });
      const sha = await git(repo.gitDir, ['write-tree'], { env });
      return { status: 201, body: { sha, url: `${base}/trees/${sha}`, truncated: false, tree: [] } };
    } catch (error) {
      return unprocessable(`GitRPC::BadObjectState: ${(error as Error).message}`);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  if (method === 'POST' && template.endsWith('/git/commits')) {
    const parents = ((body?.parents ?? []) as string[]).map(String);
    const message = typeof body?.message === 'string' ? body.message : '';
    // Only a commit GitHub makes itself (no author or committer given) is signed by GitHub.
    const signed = body?.author === undefined && body?.committer === undefined;
    const signing = signed ? ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${repo.signingKeyFile}`] : [];
    const sha = await git(
      repo.gitDir,
      [
        ...signing,
        'commit-tree',
        ...(signed ? ['-S'] : []),
        String(body?.tree),
        ...parents.flatMap((parent) => ['-p', parent]),
        '-F',
        '-',
      ],
      {
        input: message,
        env: {
          GIT_AUTHOR_NAME: BOT.name,
          GIT_AUTHOR_EMAIL: BOT.email,
          GIT_COMMITTER_NAME: WEB_FLOW.name,
          GIT_COMMITTER_EMAIL: WEB_FLOW.email,
        },
      },
    );
    repo.commits.push(sha);
    const object = await git(repo.gitDir, ['cat-file', 'commit', sha]);
    const signature = /^gpgsig ([\s\S]*?-----END SSH SIGNATURE-----)$/m.exec(object)?.[1]?.replace(/\n /g, '\n') ?? null;
    const person = (who: { name: string; email: string }) => ({ ...who, date: new Date().toISOString() });
    return {
      status: 201,
      body: {
        sha,
        node_id: `C_${sha.slice(0, 12)}`,
        url: `${base}/commits/${sha}`,
        html_url: `https://github.com/${params.owner ?? ''}/${params.repo ?? ''}/commit/${sha}`,
        author: person(BOT),
        committer: person(WEB_FLOW),
        tree: { sha: String(body?.tree), url: `${base}/trees/${String(body?.tree)}` },
        message: message,
        parents: parents.map((parent) => ({ sha: parent, url: `${base}/commits/${parent}`, html_url: '' })),
        verification: {
          verified: signature !== null,
          reason: signature !== null ? 'valid' : 'unsigned',
          signature,
          payload: signature !== null ? object.replace(/^gpgsig [\s\S]*?-----END SSH SIGNATURE-----\n/m, '') : null,
          verified_at: signature !== null ? new Date().toISOString() : null,
        },
      },
    };
  }

  if (method === 'GET' && template.endsWith('/git/ref/{ref}')) {
    const ref = `refs/${params.ref ?? ''}`;
    const sha = await readRef(ref);
    if (!sha) return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
    return { status: 200, body: refJson(ref, sha) };
  }

  if ((method === 'PATCH' && template.endsWith('/git/refs/{ref}')) || (method === 'POST' && template.endsWith('/git/refs'))) {
    const creating = method === 'POST';
    const ref = creating ? String(body?.ref) : `refs/${params.ref ?? ''}`;
    const sha = String(body?.sha);
    const hook = repo.beforeRefUpdate;
    repo.beforeRefUpdate = undefined;
    await hook?.();
    const current = await readRef(ref);
    if (creating && current) return unprocessable('Reference already exists');
    if (!creating && !current) return unprocessable('Reference does not exist');
    if (!(await readRef(sha))) return unprocessable('Object does not exist');
    if (!creating && body?.force !== true && current !== sha) {
      try {
        await git(repo.gitDir, ['merge-base', '--is-ancestor', current, sha]);
      } catch {
        return unprocessable('Update is not a fast forward');
      }
    }
    // git's own compare-and-swap on the value just read.
    await git(repo.gitDir, ['update-ref', ref, sha, creating ? '' : current]);
    return { status: creating ? 201 : 200, body: refJson(ref, sha) };
  }
  return { status: 501, body: { message: `not implemented by the stand-in: ${method} ${template}` } };
}
