let enabled = false;

/**
 * Makes every regular expression in this process fall back to V8's linear-time engine once
 * it backtracks too much (V8's `--enable-experimental-regexp-engine-on-excessive-backtracks`,
 * process-wide, worker threads included). `^(a+)+$` against 50,000 `a`s and a `!` then
 * answers in about 60 ms instead of never. Patterns the linear engine cannot run
 * (backreferences, lookarounds) keep backtracking, so a user's `expect-body` still runs in a
 * worker with a deadline (gate/body-matcher.ts); this makes the deadline the rare case.
 * node:v8 is loaded here, on first use, not at startup: loading it costs about 4 ms.
 */
export function enableLinearRegExpFallback(): void {
  if (enabled) return;
  enabled = true;
  process.getBuiltinModule('node:v8').setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
}
