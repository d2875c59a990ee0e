import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delay, freePort } from './http-server.js';

export interface TestSshd {
  host: string;
  port: number;
  user: string;
  /** The client's private key, authorised on the server. */
  clientKey: string;
  /** The known_hosts line for this server. */
  knownHosts: string;
  /** A known_hosts line with another key: what a spoofed host would present. */
  wrongKnownHosts: string;
  close: () => Promise<void>;
}

/** A real OpenSSH server on 127.0.0.1 (the "VM"), for the current user, with fresh keys. */
export async function startSshd(): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'sshd-'));
  const keygen = (name: string) => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(dir, name)]);
    return { key: readFileSync(join(dir, name), 'utf8'), pub: readFileSync(join(dir, `${name}.pub`), 'utf8').trim() };
  };
  const host = keygen('host_ed25519');
  const other = keygen('other_host');
  const client = keygen('client');
  writeFileSync(join(dir, 'authorized_keys'), `${client.pub}\n`, { mode: 0o600 });
  mkdirSync('/run/sshd', { recursive: true }); // privilege separation folder
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      'PrintMotd no',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
  const daemon = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: 'ignore' });
  for (let attempt = 0; ; attempt++) {
    try {
      execFileSync('ssh-keyscan', ['-p', String(port), '127.0.0.1'], { stdio: 'ignore', timeout: 2000 });
      break;
    } catch {
      if (attempt > 50) throw new Error('sshd did not start within 5 s');
      await delay(100);
    }
  }
  const hostKeyPart = (pub: string) => pub.split(' ').slice(0, 2).join(' ');
  return {
    host: '127.0.0.1',
    port,
    user: userInfo().username,
    clientKey: client.key,
    knownHosts: `[127.0.0.1]:${port} ${hostKeyPart(host.pub)}`,
    wrongKnownHosts: `[127.0.0.1]:${port} ${hostKeyPart(other.pub)}`,
    close: async () => {
      daemon.kill('SIGTERM');
      await delay(50);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
