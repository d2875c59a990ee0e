import type { ChildProcess } from 'node:child_process';
import * as core from '@actions/core';

/**
 * Passes the runner's cancel on to helm. The runner signals only this node process (SIGINT,
 * then SIGTERM, then a kill of the whole tree about 10 s later); a helm that is never told
 * keeps waiting until it is killed and leaves its release pending. Once a signal came, no
 * further helm command starts.
 */
export class SignalRelay {
  private readonly children = new Set<ChildProcess>();
  cancelled: NodeJS.Signals | undefined;

  private readonly forward = (signal: NodeJS.Signals): void => {
    this.cancelled ??= signal;
    for (const child of this.children) child.kill(signal);
    core.warning(`Received ${signal}: passed it to helm at once, and starting nothing more`);
  };

  install(): void {
    process.on('SIGINT', this.forward);
    process.on('SIGTERM', this.forward);
  }

  uninstall(): void {
    process.off('SIGINT', this.forward);
    process.off('SIGTERM', this.forward);
  }

  track(child: ChildProcess): void {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
  }
}
