import * as core from '@actions/core';
import { formatDuration } from './duration.js';
import { describeBody, httpRequest, type HttpResponse, TransportError } from './http.js';
import { isTransientError, isTransientStatus, parseRetryAfter, sleep } from './retry.js';

/** An ARM error answer: its status, and the `error.code` / `error.message` it carried. */
export class ArmError extends Error {
  override readonly name = 'ArmError';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly armMessage: string,
    what: string,
  ) {
    super(`${what} answered HTTP ${status}${code ? ` ${code}` : ''}: ${armMessage}`);
  }
}

export interface ArmClientOptions {
  /** `https://management.azure.com`; every request and every poll stays on this origin. */
  endpoint: string;
  token: () => Promise<string>;
  /** How long "another operation is in progress" 409s are retried. */
  conflictTimeoutMs: number;
  /** The bound on one long-running operation, polls included. */
  operationTimeoutMs: number;
  /** Transient faults (408, 429, 5xx, resets) are retried this often per request. */
  transientRetries?: number;
  /** The first wait when an answer names none; later ones back off from it, with jitter. */
  defaultDelayMs?: number;
}

/** Every wait, named by Retry-After or not: at least 1 s (`Retry-After: 0` once made 1,014 polls in 3 s), at most 60 s. */
export const MIN_WAIT_MS = 1000;
export const MAX_WAIT_MS = 60_000;

/** A wait within the floor and the ceiling. */
export const boundedWait = (ms: number): number => Math.min(MAX_WAIT_MS, Math.max(MIN_WAIT_MS, ms));

export interface ArmResponse {
  status: number;
  body: unknown;
  headers: HttpResponse['headers'];
}

/** App Service's 409 while another operation (a swap, a restart) holds the site. */
export const isOperationInProgress = (error: unknown): boolean =>
  error instanceof ArmError && error.status === 409 && /another operation is in progress/i.test(error.armMessage);

/** App Service's 409 for a slot whose settings were applied for a swap (a preview left open). */
export const isPreparedForSwap = (error: unknown): boolean =>
  error instanceof ArmError && error.status === 409 && /prepared for swap/i.test(error.armMessage);

function parseBody(response: HttpResponse): unknown {
  const text = response.body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function armError(response: HttpResponse, what: string): ArmError {
  const body = parseBody(response) as
    { error?: { code?: string; message?: string }; code?: string; message?: string } | undefined;
  const error = typeof body === 'object' ? (body.error ?? body) : undefined;
  return new ArmError(response.status, error?.code ?? '', error?.message ?? describeBody(response), what);
}

/**
 * A small client for Azure Resource Manager: JSON requests with a bearer token, retries of
 * transient faults and of "another operation is in progress" (honouring Retry-After in
 * seconds or as an HTTP date), and long-running operations polled the way ARM documents
 * them: Azure-AsyncOperation first, then Operation-Location, then Location. Every loop is
 * bounded in time. The token is sent to the ARM endpoint's origin only: a poll URL
 * elsewhere is refused.
 */
export class ArmClient {
  private readonly origin: string;

  constructor(private readonly options: ArmClientOptions) {
    this.origin = new URL(options.endpoint).origin;
  }

  /**
   * The wait an answer asks for (Retry-After, in seconds or as a date), or, when it names
   * none, an exponential backoff from defaultDelayMs with full jitter; always within
   * [MIN_WAIT_MS, MAX_WAIT_MS].
   */
  private delayOf(response: HttpResponse | undefined, unnamed = 0): number {
    const header: unknown = response?.headers['retry-after'];
    const value = Array.isArray(header) ? (header[0] as unknown) : header;
    const named = parseRetryAfter(typeof value === 'string' ? value : undefined);
    if (named !== undefined) return boundedWait(named);
    const base = Math.min(MAX_WAIT_MS, (this.options.defaultDelayMs ?? 5000) * 2 ** Math.min(unnamed, 10));
    return boundedWait(base / 2 + Math.random() * (base / 2));
  }

  /** A wait cut to what is left before `deadline`; undefined when less than the floor is left. */
  private withinDeadline(wait: number, deadline: number): number | undefined {
    const left = deadline - Date.now();
    if (left < MIN_WAIT_MS) return undefined;
    return Math.min(wait, left);
  }

  private urlOf(pathOrUrl: string): URL {
    const url = new URL(pathOrUrl, this.origin);
    if (url.origin !== this.origin) {
      throw new Error(`ARM pointed at ${url.origin}, which is not ${this.origin}: the token is not sent there`);
    }
    return url;
  }

  /** One request, retried while the fault is transient or the site is busy. */
  async request(
    method: string,
    pathOrUrl: string,
    body?: unknown,
    what = `${method} ${pathOrUrl.split('?')[0]}`,
  ): Promise<ArmResponse> {
    const url = this.urlOf(pathOrUrl);
    const conflictDeadline = Date.now() + this.options.conflictTimeoutMs;
    const retries = this.options.transientRetries ?? 4;
    let conflicts = 0;
    for (let attempt = 0; ; attempt++) {
      let response: HttpResponse | undefined;
      try {
        response = await httpRequest({
          url,
          method,
          headers: {
            authorization: `Bearer ${await this.options.token()}`,
            'content-type': 'application/json',
            accept: 'application/json',
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          timeoutMs: 100_000,
        });
      } catch (error) {
        if (!(error instanceof TransportError) || !isTransientError(error) || attempt >= retries) throw error;
        await sleep(boundedWait(this.jitter(1000 * 2 ** attempt)));
        continue;
      }
      if (response.status < 400) return { status: response.status, body: parseBody(response), headers: response.headers };
      const error = armError(response, what);
      const wait = this.delayOf(response, conflicts);
      const busyWait = this.withinDeadline(wait, conflictDeadline);
      if (isOperationInProgress(error) && busyWait !== undefined) {
        core.info(`${what}: another operation holds the site; trying again in ${formatDuration(busyWait)}`);
        await sleep(busyWait);
        conflicts += 1;
        attempt = -1; // a busy site is not a transient fault: it has its own budget
        continue;
      }
      if (isTransientStatus(response.status) && attempt < retries) {
        const transientWait = boundedWait(this.jitter(wait));
        core.info(`${what}: HTTP ${response.status}; trying again in ${formatDuration(transientWait)}`);
        await sleep(transientWait);
        continue;
      }
      throw error;
    }
  }

  /** A request that may start a long-running operation; resolves when it has finished. */
  async longRunning(
    method: string,
    path: string,
    body?: unknown,
    what = `${method} ${path.split('?')[0]}`,
  ): Promise<ArmResponse> {
    const first = await this.request(method, path, body, what);
    if (first.status !== 201 && first.status !== 202) return first;
    const header = (name: string) => {
      const value = first.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const asyncOperation = header('azure-asyncoperation');
    const monitor = asyncOperation ?? header('operation-location') ?? header('location');
    if (!monitor) return first;
    const deadline = Date.now() + this.options.operationTimeoutMs;
    let polls = 0;
    let wait = this.delayOf({ headers: first.headers } as HttpResponse, polls);
    for (;;) {
      const bounded = this.withinDeadline(wait, deadline);
      if (bounded === undefined) {
        throw new Error(`${what} did not finish within ${formatDuration(this.options.operationTimeoutMs)}`);
      }
      await sleep(bounded);
      const poll = await this.request('GET', monitor, undefined, `${what} (status)`);
      polls += 1;
      wait = this.delayOf({ headers: poll.headers } as HttpResponse, polls);
      if (asyncOperation !== undefined || header('operation-location') !== undefined) {
        // A status resource: { status: InProgress | Succeeded | Failed | Canceled, error? }.
        const state = poll.body as { status?: string; error?: { code?: string; message?: string } } | undefined;
        const status = state?.status ?? '';
        if (/^succeeded$/i.test(status)) return poll;
        if (/^(failed|canceled|cancelled)$/i.test(status)) {
          throw new ArmError(200, state?.error?.code ?? status, state?.error?.message ?? `the operation ended ${status}`, what);
        }
        continue;
      }
      // Location: 202 while running, then the final answer.
      if (poll.status !== 202) return poll;
    }
  }

  private jitter(ms: number): number {
    return Math.round(ms * (0.8 + Math.random() * 0.4));
  }
}
