import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import * as tls from 'node:tls';
import { getProxyUrl } from '@actions/http-client/lib/proxy';
import {
  DEFAULT_RETRY,
  isTransientError,
  isTransientStatus,
  parseRetryAfter,
  type RetryHooks,
  type RetryPolicy,
  retry,
} from './retry.js';
import { excerpt } from './secrets.js';

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
    /** The server had sent its status line and headers: it is up, and broke off mid-answer. */
    readonly afterResponse = false,
  ) {
    super(message);
  }
}

const DEFAULT_MAX_BODY = 1024 * 1024;

/**
 * What an unexpected body was, in a few words for an error: an HTML page (a proxy's or a
 * load balancer's error page, by its title), a body cut at the size limit, or an excerpt.
 */
export function describeBody(response: Pick<HttpResponse, 'body' | 'bodyTruncated' | 'headers'>): string {
  const text = response.body.toString('utf8');
  const type = response.headers['content-type'] ?? '';
  if (/html/i.test(type) || /^\s*<(!doctype|html)/i.test(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    return `an HTML page${title ? ` "${excerpt(title, 80)}"` : ''}`;
  }
  if (response.bodyTruncated) return `a body over ${Math.round(response.body.length / 1024)} KiB (cut there)`;
  return text.trim() === '' ? 'an empty body' : `"${excerpt(text, 200)}"`;
}

/**
 * The body as JSON, or an error that says what came instead (never `Unexpected token '<'`).
 * The caller narrows the value it gets.
 */
export function parseJsonBody(response: HttpResponse, what: string): unknown {
  if (!response.bodyTruncated) {
    try {
      return JSON.parse(response.body.toString('utf8')) as unknown;
    } catch {
      // described below
    }
  }
  throw new Error(`${what} answered HTTP ${response.status} with ${describeBody(response)}, not JSON`);
}

/**
 * One request on a fresh connection (no keep-alive pool): each probe or retry then
 * sees what a new client would, and no stale pooled socket can fake a failure.
 */
export function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  const url = typeof request.url === 'string' ? new URL(request.url) : request.url;
  const maxBody = request.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  // HTTPS_PROXY / HTTP_PROXY / NO_PROXY, read exactly as @actions/http-client reads them
  // (loopback always goes direct), so self-hosted runners behind a proxy reach ACR and Azure.
  const proxy = getProxyUrl(url);

  return new Promise((resolve, reject) => {
    let settled = false;
    let req: http.ClientRequest | undefined;
    const fail = (error: TransportError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req?.destroy();
      reject(error);
    };
    const timer = setTimeout(() => {
      fail(new TransportError('ETIMEDOUT', `no answer within ${Math.round(request.timeoutMs)} ms`, elapsed()));
    }, request.timeoutMs);
    const send = (socket?: Socket) => {
      if (settled) {
        socket?.destroy();
        return;
      }
      req = openRequest(url, request, proxy, socket);
      handle(req);
    };
    if (proxy && url.protocol === 'https:') {
      tunnel(proxy, url, request.timeoutMs).then(send, (error: unknown) => {
        const { code, message } = error as NodeJS.ErrnoException;
        fail(new TransportError(code ?? 'EPROXY', message, elapsed()));
      });
    } else send();

    function handle(req: http.ClientRequest): void {
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
        const broken = (error: NodeJS.ErrnoException) => {
          const what = `${describeTransportError(error)} after HTTP ${res.statusCode ?? 0}, in the middle of the body`;
          fail(new TransportError(error.code ?? 'EIO', what, elapsed(), true));
        };
        res.on('error', broken);
        // A socket closed before the whole body came ('aborted' in Node 20, 'close' unfinished in later ones).
        res.on('aborted', () => {
          broken(Object.assign(new Error('connection reset'), { code: 'ECONNRESET' }));
        });
        res.on('close', () => {
          if (!res.complete) broken(Object.assign(new Error('connection reset'), { code: 'ECONNRESET' }));
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
    }
  });
}

function proxyAuthorization(proxy: URL): Record<string, string> {
  if (!proxy.username && !proxy.password) return {};
  const user = decodeURIComponent(proxy.username);
  const password = decodeURIComponent(proxy.password);
  return { 'proxy-authorization': `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/**
 * The request itself: straight to the server; for plain http through a proxy, to the proxy
 * with the absolute URL; for https through a proxy, TLS over the CONNECT tunnel.
 */
function openRequest(url: URL, request: HttpRequest, proxy: URL | undefined, socket?: Socket): http.ClientRequest {
  const method = request.method ?? 'GET';
  if (socket) {
    // No agent at all (not `agent: false`, which makes a fresh one): only then does Node
    // use createConnection, here TLS over the tunnel's socket.
    return https.request(url, {
      method,
      headers: request.headers,
      createConnection: () => tls.connect({ socket, servername: url.hostname }),
    });
  }
  if (proxy) {
    return http.request({
      host: proxy.hostname,
      port: Number(proxy.port || 80),
      path: url.href,
      method,
      headers: { ...request.headers, host: url.host, ...proxyAuthorization(proxy) },
      agent: false,
    });
  }
  return (url.protocol === 'https:' ? https : http).request(url, { method, headers: request.headers, agent: false });
}

/** A CONNECT tunnel through the proxy to the URL's host and port. */
function tunnel(proxy: URL, url: URL, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const port = url.port || '443';
    const connect = http.request({
      host: proxy.hostname,
      port: Number(proxy.port || 80),
      method: 'CONNECT',
      path: `${url.hostname}:${port}`,
      headers: { host: `${url.hostname}:${port}`, ...proxyAuthorization(proxy) },
      agent: false,
      timeout: timeoutMs,
    });
    connect.on('connect', (response, socket) => {
      if (response.statusCode === 200) resolve(socket);
      else {
        socket.destroy();
        reject(
          Object.assign(
            new Error(`the proxy ${proxy.host} refused the tunnel to ${url.host} (HTTP ${response.statusCode ?? 0})`),
            {
              code: 'EPROXY',
            },
          ),
        );
      }
    });
    connect.on('error', (error: NodeJS.ErrnoException) => {
      reject(Object.assign(new Error(`the proxy ${proxy.host}: ${describeTransportError(error)}`), { code: error.code }));
    });
    connect.end();
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
