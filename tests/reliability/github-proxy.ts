/**
 * A fault-injecting HTTP proxy in front of the local GitHub server
 * (`tests/helpers/github-server.ts`), for the reliability suite's GitHub
 * case. The server's own `Fault` type covers 5xx, malformed and truncated
 * bodies, wrong content types and rate limits on a path; this proxy adds
 * what it lacks — connection resets (before and during the body), latency,
 * 429 with `retry-after`, a primary rate limit whose reset is an hour away —
 * and matching on the GraphQL request body, so a fault can hit "the batched
 * repository query that contains svc-003" rather than every GraphQL call.
 *
 * Everything goes over real sockets: the collector's fetch, Octokit's retry
 * and throttling plugins see exactly what they would see from GitHub.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../../examples/servers/github-server.ts';

export type ProxyFaultKind =
  | 'http-500'
  | 'http-502'
  | 'http-503'
  | 'http-504'
  | 'reset'
  | 'reset-mid-body'
  | 'latency'
  | 'secondary-limit'
  | 'http-429'
  | 'primary-limit-now'
  | 'primary-limit-hour'
  | 'malformed'
  | 'truncated'
  | 'html'
  | 'empty-body';

export interface ProxyFault {
  /** Which request: `METHOD path` (path without `/api/v3`, with query) and, for GraphQL, the parsed query text. */
  match: (request: { method: string; path: string; graphql?: string }) => boolean;
  kind: ProxyFaultKind;
  /** How many matching requests it hits (default: all of them). */
  times?: number;
  /** Label for reports. */
  label: string;
}

export interface ProxyHit {
  label: string;
  kind: ProxyFaultKind;
  method: string;
  path: string;
}

export interface FaultProxy {
  /** `${origin}/api/v3`: give this to the collector as `baseUrl`. */
  baseUrl: string;
  faults: ProxyFault[];
  /** Faults that fired, in order. */
  hits: ProxyHit[];
  /** Every request that reached the proxy. */
  requests: number;
  /**
   * After the first `primary-limit-hour` hit, answer every later REST request
   * the same way (the token's core quota is spent until the reset), as GitHub does.
   */
  exhaustCoreAfterPrimary: boolean;
  close(): Promise<void>;
}

const PRIMARY_BODY = JSON.stringify({ message: 'API rate limit exceeded for user ID 1.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' });
const SECONDARY_BODY = JSON.stringify({ message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' });

/** Milliseconds a `latency` fault holds the answer: slow, but well within any sane client's patience. */
export const LATENCY_MS = 400;

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let coreExhausted = false;
  const state: FaultProxy = { baseUrl: '', faults: [], hits: [], requests: 0, exhaustCoreAfterPrimary: false, close: async () => {} };

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    state.requests++;
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const isGraphQL = url.pathname === '/api/graphql' || url.pathname === '/graphql';
    const path = isGraphQL ? '/graphql' : url.pathname.replace(/^\/api\/v3(?=\/)/, '') + url.search;
    let graphql: string | undefined;
    if (isGraphQL) {
      try {
        graphql = String((JSON.parse(body) as { query?: unknown }).query ?? '');
      } catch {
        graphql = '';
      }
    }
    if (coreExhausted && !isGraphQL) {
      state.hits.push({ label: 'quota spent', kind: 'primary-limit-hour', method, path });
      return primary(res, 3600);
    }
    const fault = state.faults.find((f) => (f.times ?? Infinity) > 0 && f.match({ method, path, ...(graphql !== undefined ? { graphql } : {}) }));
    if (!fault) return forward(req, res, body);
    fault.times = (fault.times ?? Infinity) - 1;
    state.hits.push({ label: fault.label, kind: fault.kind, method, path });
    const reply = (status: number, headers: Record<string, string>, text: string) => {
      res.writeHead(status, { 'content-length': String(Buffer.byteLength(text)), ...headers });
      res.end(text);
    };
    switch (fault.kind) {
      case 'http-500':
      case 'http-502':
      case 'http-503':
      case 'http-504':
        return reply(Number(fault.kind.slice(5)), { 'content-type': 'application/json' }, JSON.stringify({ message: 'Server Error' }));
      case 'reset':
        req.socket.destroy();
        return;
      case 'reset-mid-body':
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': '4096' });
        res.write('{"total_count": 3, "environments": [{"id": 1, "na', () => req.socket.destroy());
        return;
      case 'latency':
        await new Promise((r) => setTimeout(r, LATENCY_MS));
        return forward(req, res, body);
      case 'secondary-limit':
        // https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-secondary-rate-limit
        return reply(403, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' }, SECONDARY_BODY);
      case 'http-429':
        return reply(429, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' }, JSON.stringify({ message: 'Too Many Requests' }));
      case 'primary-limit-now':
        return primary(res, 0);
      case 'primary-limit-hour':
        if (state.exhaustCoreAfterPrimary && !isGraphQL) coreExhausted = true;
        return primary(res, 3600);
      case 'malformed':
        return reply(200, { 'content-type': 'application/json; charset=utf-8' }, '{"total_count": 1, "environments": [ {"name": ');
      case 'truncated':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
        res.write('{"total_count": 3, "vari');
        res.destroy();
        return;
      case 'html':
        return reply(200, { 'content-type': 'text/html; charset=utf-8' }, '<!doctype html><html><body><h1>Unicorn!</h1></body></html>');
      case 'empty-body':
        return reply(200, { 'content-type': 'application/json; charset=utf-8' }, '');
    }
  }

  /** A primary rate limit: remaining 0, reset `inSeconds` from now. https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-primary-rate-limit */
  function primary(res: ServerResponse, inSeconds: number): void {
    res.writeHead(403, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(PRIMARY_BODY)),
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '5000',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + inSeconds),
      'x-ratelimit-resource': 'core',
    });
    res.end(PRIMARY_BODY);
  }

  const forward = (req: IncomingMessage, res: ServerResponse, body: string) => forwardTo(upstream, req, res, body);

  await listenAsGitHub(server, state);
  return state;
}


/** Passes a request on to `upstream` as it came (headers included) and streams the answer back. */
export function forwardTo(upstream: URL, req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
  return new Promise((resolve) => {
    const headers = { ...req.headers, host: upstream.host };
    const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('end', resolve);
      answer.on('error', () => {
        res.destroy();
        resolve();
      });
    });
    out.on('error', () => {
      res.destroy();
      resolve();
    });
    out.end(body);
  });
}

/** Listens on 127.0.0.1 (a free port) and sets the state's GitHub Enterprise-style `baseUrl` and `close`. */
export async function listenAsGitHub(server: Server, state: { baseUrl: string; close: () => Promise<void> }): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${port}/api/v3`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}
