import * as http from 'node:http';
import * as https from 'node:https';
import {
  DEFAULT_RETRY,
  isTransientError,
  isTransientStatus,
  parseRetryAfter,
  type RetryHooks,
  type RetryPolicy,
  retry,
} from './retry.js';

export interface HttpRequest {
  url: URL | string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Limit for the whole exchange: connect, send, and read the body. */
  timeoutMs: number;
  /** Bytes of body kept; the rest is read and dropped so the connection still ends cleanly. */
  maxBodyBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  bodyTruncated: boolean;
  /** From sending the request to the last byte of the body. */
  latencyMs: number;
}

/** A transport failure: no HTTP answer at all. `code` is Node's (ECONNREFUSED, ...) or ETIMEDOUT. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly code: string,
    message: string,
    readonly latencyMs: number,
  ) {
    super(message);
  }
}

const DEFAULT_MAX_BODY = 1024 * 1024;

/**
 * One request on a fresh connection (no keep-alive pool): each probe or retry then
 * sees what a new client would, and no stale pooled socket can fake a failure.
 */
export function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  const url = typeof request.url === 'string' ? new URL(request.url) : request.url;
  const client = url.protocol === 'https:' ? https : http;
  const maxBody = request.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: TransportError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(error);
    };
    const req = client.request(url, {
      method: request.method ?? 'GET',
      headers: request.headers,
      agent: false,
    });
    const timer = setTimeout(() => {
      fail(new TransportError('ETIMEDOUT', `no answer within ${Math.round(request.timeoutMs)} ms`, elapsed()));
    }, request.timeoutMs);

    req.on('error', (error: NodeJS.ErrnoException) => {
      fail(new TransportError(error.code ?? 'EIO', describeTransportError(error), elapsed()));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      let truncated = false;
      res.on('data', (chunk: Buffer) => {
        if (kept >= maxBody) {
          truncated = true;
          return;
        }
        const room = maxBody - kept;
        if (chunk.length > room) truncated = true;
        const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
        chunks.push(part);
        kept += part.length;
      });
      res.on('error', (error: NodeJS.ErrnoException) => {
        fail(new TransportError(error.code ?? 'EIO', describeTransportError(error), elapsed()));
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          bodyTruncated: truncated,
          latencyMs: elapsed(),
        });
      });
    });
    req.end(request.body);
  });
}

function describeTransportError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `DNS lookup failed (${error.code})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `host unreachable (${error.code})`;
    default:
      return error.code ? `${error.code}: ${error.message}` : error.message;
  }
}

export interface RetryingRequestOptions {
  policy?: RetryPolicy;
  hooks?: RetryHooks;
  /** Statuses worth another try; default 408, 429 and 5xx. */
  isRetryableStatus?: (status: number) => boolean;
}

/**
 * Retries transient faults: 408/429/5xx answers and connection-level errors, honouring
 * Retry-After. After the last try the final answer is returned as it is (a 503 stays a
 * 503 for the caller to report); a final transport error is thrown.
 */
export function httpRequestWithRetry(request: HttpRequest, options: RetryingRequestOptions = {}): Promise<HttpResponse> {
  const retryable = options.isRetryableStatus ?? isTransientStatus;
  return retry(
    () => httpRequest(request),
    (outcome) => {
      if (outcome.ok) {
        const { status, headers } = outcome.value;
        if (!retryable(status)) return { retry: false };
        return { retry: true, why: `HTTP ${status}`, retryAfterMs: parseRetryAfter(headers['retry-after']) };
      }
      if (isTransientError(outcome.error)) {
        return { retry: true, why: (outcome.error as Error).message };
      }
      return { retry: false };
    },
    options.policy ?? DEFAULT_RETRY,
    options.hooks,
  );
}
