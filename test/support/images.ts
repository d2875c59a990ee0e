import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A build context whose image needs nothing from the internet: FROM scratch with Debian's
 * static busybox, serving /api/info (with the build's SHA) on port 8080.
 */
export function busyboxContext(name: string, message = name): string {
  const dir = mkdtempSync(join(tmpdir(), `ctx-${name}-`));
  copyFileSync('/bin/busybox', join(dir, 'busybox'));
  mkdirSync(join(dir, 'www'));
  writeFileSync(join(dir, 'www', 'index.html'), `<h1>${message}</h1>\n`);
  writeFileSync(
    join(dir, 'Dockerfile'),
    [
      'FROM scratch',
      'COPY busybox /bin/busybox',
      'COPY www /www',
      'ARG GIT_SHA=dev',
      `RUN ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir -p /www/api && echo \\"{\\\\\\"service\\\\\\":\\\\\\"${name}\\\\\\",\\\\\\"build\\\\\\":{\\\\\\"sha\\\\\\":\\\\\\"$GIT_SHA\\\\\\"}}\\" > /www/api/info"]`,
      'EXPOSE 8080',
      'ENTRYPOINT ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"]',
      '',
    ].join('\n'),
  );
  return dir;
}
