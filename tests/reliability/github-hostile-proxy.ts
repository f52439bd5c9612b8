/**
 * A lying GitHub: an HTTP proxy in front of the local GitHub server
 * (`tests/helpers/github-server.ts`) that rewrites answers instead of failing
 * them (`github-proxy.ts` does the failing). A rule can answer on its own
 * (with the request's `Authorization` header at hand, so it can echo it),
 * rewrite the JSON the server gave, add headers (a `Link: next` that loops),
 * or hold the connection open and never answer. For
 * `tests/reliability/github-hostile.test.ts`.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { forwardTo, listenAsGitHub } from './github-proxy.ts';
import { readBody } from '../../examples/servers/github-server.ts';

export interface HostileRequest {
  method: string;
  /** Path without `/api/v3`, with query; `/graphql` for GraphQL. */
  path: string;
  /** The GraphQL query text, for GraphQL requests. */
  graphql?: string;
  /** The `Authorization` header the client sent (what a server that echoes headers would echo). */
  authorization: string;
}

export interface HostileAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Streams the body in 1 MiB chunks with no `Content-Length` (chunked transfer), so only reading it tells its size. */
  chunked?: boolean;
}

export interface HostileRule {
  label: string;
  match: (request: HostileRequest) => boolean;
  /** Answers without asking the server (the first matching rule that answers or hangs wins). */
  answer?: (request: HostileRequest) => HostileAnswer;
  /** Rewrites the server's JSON answer (return it, changed or replaced); every matching rule's rewrite applies, in order. */
  rewrite?: (body: unknown, request: HostileRequest) => unknown;
  /** Extra response headers on the forwarded answer. */
  headers?: (request: HostileRequest) => Record<string, string>;
  /** Never answers: the connection stays open until the client gives up. */
  hang?: boolean;
}

export interface HostileProxy {
  baseUrl: string;
  rules: HostileRule[];
  /** Labels of the rules that fired, in order. */
  hits: string[];
  requests: number;
  close(): Promise<void>;
}

export async function startHostileProxy(target: string): Promise<HostileProxy> {
  const upstream = new URL(target);
  const state: HostileProxy = { baseUrl: '', rules: [], hits: [], requests: 0, close: async () => {} };
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    state.requests++;
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const isGraphQL = url.pathname === '/api/graphql' || url.pathname === '/graphql';
    const request: HostileRequest = {
      method: req.method ?? 'GET',
      path: isGraphQL ? '/graphql' : url.pathname.replace(/^\/api\/v3(?=\/)/, '') + url.search,
      authorization: String(req.headers.authorization ?? ''),
    };
    if (isGraphQL) {
      try {
        request.graphql = String((JSON.parse(body) as { query?: unknown }).query ?? '');
      } catch {
        request.graphql = '';
      }
    }
    // Rules that answer or hang: the first one wins. Rules that rewrite all apply, in order (one batched GraphQL query can carry several repositories' lies).
    const matching = state.rules.filter((r) => r.match(request));
    if (matching.length === 0) return pipe(req, res, body);
    state.hits.push(...matching.map((r) => r.label));
    const final = matching.find((r) => r.hang || r.answer);
    if (final?.hang) return; // the socket stays open; closeAllConnections ends it
    if (final?.answer) return send(res, final.answer(request));
    const answer = await forward(req, body);
    let json: unknown;
    try {
      json = JSON.parse(answer.text);
    } catch {
      json = undefined;
    }
    let headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...(answer.link ? { link: answer.link } : {}) };
    for (const rule of matching) {
      if (rule.rewrite && json !== undefined) json = rule.rewrite(json, request);
      if (rule.headers) headers = { ...headers, ...rule.headers(request) };
    }
    return send(res, { status: answer.status, body: json === undefined ? answer.text : json, headers });
  }

  function send(res: ServerResponse, answer: HostileAnswer): void {
    const text = typeof answer.body === 'string' || Buffer.isBuffer(answer.body) ? answer.body : JSON.stringify(answer.body);
    if (answer.chunked) {
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
      const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
      let offset = 0;
      const more = (): void => {
        while (offset < bytes.length && !res.destroyed) {
          const chunk = bytes.subarray(offset, (offset += 1024 * 1024));
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        if (!res.destroyed) res.end();
      };
      return more();
    }
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers, 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  }

  function forward(req: IncomingMessage, body: string): Promise<{ status: number; text: string; link?: string }> {
    return new Promise((resolve, reject) => {
      // No conditional request upstream: the rewritten answer must be a full body, never a 304.
      const { 'if-none-match': _, ...headers } = req.headers;
      const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...headers, host: upstream.host, 'accept-encoding': 'identity' } }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 502, text: Buffer.concat(chunks).toString('utf8'), ...(answer.headers.link ? { link: String(answer.headers.link) } : {}) }));
        answer.on('error', reject);
      });
      out.on('error', reject);
      out.end(body);
    });
  }

  const pipe = (req: IncomingMessage, res: ServerResponse, body: string) => forwardTo(upstream, req, res, body);

  await listenAsGitHub(server, state);
  return state;
}
