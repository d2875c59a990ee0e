import { Worker } from 'node:worker_threads';
import { enableLinearRegExpFallback } from '../linear-regexp.js';

/**
 * Whether a body matches the user's `expect-body` regex, within a deadline. JavaScript
 * regexes backtrack: `^(a+)+$` against 34 `a`s and a `!` runs for minutes. V8 falls back to
 * its linear-time engine on such patterns (linear-regexp.ts), but not on those with
 * backreferences or lookarounds (`^(a+)+\1$`), which in the action's own thread would hold
 * the gate's timeout hostage. So the match runs in a worker thread, which is terminated (and
 * replaced on the next call) when the deadline passes; that match counts as failed, saying why.
 */
export type BodyMatcher = (regex: RegExp, body: string, deadlineMs: number) => Promise<'match' | 'no-match' | 'too-slow'>;

/** In-process matching, for unit tests and trusted patterns: no deadline. */
export const inlineMatcher: BodyMatcher = (regex, body) => Promise.resolve(regex.test(body) ? 'match' : 'no-match');

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, source, flags, body }) => {
  parentPort.postMessage({ id, matched: new RegExp(source, flags).test(body) });
});
`;

/** A matcher backed by one reusable worker thread; `close()` ends it. */
export function workerMatcher(): BodyMatcher & { close: () => Promise<void> } {
  let worker: Worker | undefined;
  let nextId = 0;
  // One match at a time: the worker is single-threaded, and a queue keeps each deadline honest.
  let queue: Promise<unknown> = Promise.resolve();

  const run = (regex: RegExp, body: string, deadlineMs: number) =>
    new Promise<'match' | 'no-match' | 'too-slow'>((resolve, reject) => {
      if (!worker) {
        // Most catastrophic patterns then answer at once; the deadline is for backreferences.
        // Enabled with the first match, not at startup: loading node:v8 costs about 4 ms.
        enableLinearRegExpFallback();
        worker = new Worker(WORKER_SOURCE, { eval: true });
      }
      const current = worker;
      const id = ++nextId;
      const timer = setTimeout(
        () => {
          current.removeListener('message', onMessage);
          worker = undefined;
          void current.terminate();
          resolve('too-slow');
        },
        Math.max(1, deadlineMs),
      );
      const onMessage = (message: { id: number; matched: boolean }) => {
        if (message.id !== id) return;
        clearTimeout(timer);
        current.removeListener('message', onMessage);
        resolve(message.matched ? 'match' : 'no-match');
      };
      current.on('message', onMessage);
      current.once('error', (error) => {
        clearTimeout(timer);
        worker = undefined;
        reject(error);
      });
      current.postMessage({ id, source: regex.source, flags: regex.flags, body });
    });

  const matcher = (regex: RegExp, body: string, deadlineMs: number) => {
    const started = Date.now();
    const result = queue.then(() => run(regex, body, deadlineMs - (Date.now() - started)));
    queue = result.catch(() => undefined);
    return result;
  };
  return Object.assign(matcher, {
    close: async () => {
      const current = worker;
      worker = undefined;
      if (current) await current.terminate();
    },
  });
}
