import { readFileSync } from 'node:fs';

export interface RunnerEvent {
  name: string;
  payload: Record<string, unknown>;
}

/** The event that started the workflow, from GITHUB_EVENT_NAME and GITHUB_EVENT_PATH. */
export function readEvent(env: NodeJS.ProcessEnv = process.env): RunnerEvent {
  const name = env.GITHUB_EVENT_NAME ?? '';
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return { name, payload: {} };
  const payload = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  return { name, payload: payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>) : {} };
}

/** A nested string field of a payload, or undefined. */
export function field(payload: unknown, ...path: string[]): string | undefined {
  let node: unknown = payload;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === 'string' ? node : undefined;
}
