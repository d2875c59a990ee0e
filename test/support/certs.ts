import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCert {
  keyPath: string;
  certPath: string;
  key: string;
  cert: string;
  /** The certificate's DER bytes, base64: what a JWT's x5c header carries. */
  derBase64: string;
}

/** A self-signed RSA certificate for 127.0.0.1, localhost and any extra DNS names, made with openssl. */
export function makeCert(dir: string, name: string, dnsNames: readonly string[] = []): TestCert {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.crt`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      `subjectAltName=IP:127.0.0.1,DNS:localhost${dnsNames.map((dns) => `,DNS:${dns}`).join('')}`,
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'ignore' },
  );
  const cert = readFileSync(certPath, 'utf8');
  const derBase64 = cert.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return { keyPath, certPath, key: readFileSync(keyPath, 'utf8'), cert, derBase64 };
}
