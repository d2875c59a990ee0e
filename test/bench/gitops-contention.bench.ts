// gitops-bump contention: 20, 50 and 100 runs at once on one values file over smart HTTP
// (real git http-backend). Every run must land, one commit each, history linear.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concurrentBumps, percentileOf } from '../support/bump-contention.js';
import { type GitServer, startGitServer } from '../support/git-http.js';
import { record } from './results.js';

const TOKEN = 'ghs_benchToken5e1d';

describe('bench: gitops-bump contention', () => {
  let server: GitServer;
  beforeAll(async () => {
    server = await startGitServer(TOKEN);
  });
  afterAll(() => server.close());

  for (const runs of [20, 50, 100]) {
    it(`${runs} concurrent runs all land`, async () => {
      const result = await concurrentBumps(server, TOKEN, runs);
      record('bumps', [
        runs,
        `${result.landed}/${runs}`,
        percentileOf(result.attempts, 50),
        Math.max(...result.attempts),
        result.seconds.toFixed(1),
      ]);
      expect(result.failures).toEqual([]);
      expect(result).toMatchObject({ landed: runs, commits: runs, merges: 0, allTagsSet: true });
    });
  }
});
