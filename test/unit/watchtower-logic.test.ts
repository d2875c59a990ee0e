import { describe, expect, it } from 'vitest';
import { composeScript, containersChanged, explainSshFailure } from '../../actions/watchtower-config/apply.js';
import type { ApplyConfig } from '../../actions/watchtower-config/config.js';
import { shellQuote } from '../../packages/shared/shell-quote.js';

describe('apply helpers', () => {
  it('counts containers compose v1 and v2 created or recreated, padded names included', () => {
    const v1 =
      'Creating network "omis_default"\nCreating omis_backend_1  ... \r\nCreating omis_frontend_1 ... \r\nRecreating omis_csvtomdb_1 ... done\r\nomis_x_1 is up-to-date\n';
    expect(containersChanged(v1)).toEqual(['omis_backend_1', 'omis_csvtomdb_1', 'omis_frontend_1']);
    const v2 = ' Container omis-backend-1  Recreated\n Container omis-frontend-1  Running\n Container omis-new-1  Created\n';
    expect(containersChanged(v2)).toEqual(['omis-backend-1', 'omis-new-1']);
  });

  it('quotes every value in the remote script', () => {
    const config = { remoteDir: "deploy dir/it's", composeFile: 'compose.yml', services: ['web', '$(reboot)'] } as ApplyConfig;
    const script = composeScript(config, true, true);
    expect(script).toContain(`cd 'deploy dir/it'\\''s'`);
    expect(script).toContain(`"$@" -f 'compose.yml' -f 'docker-compose.watchtower.yml' pull 'web' '$(reboot)'`);
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
  });

  it("reports ssh's last line, with a hint for host key failures", () => {
    expect(explainSshFailure('@@@@@@@@\nWARNING\nHost key verification failed.\n')).toBe(
      'Host key verification failed. (the host key is not in known-hosts, or it changed)',
    );
    expect(explainSshFailure('')).toBe('ssh failed without a message');
  });
});
