/**
 * Real HTTP(S) servers on 127.0.0.1 for source tests: each path answers with
 * one endpoint shape or one fault. Nothing is mocked: the code under test
 * opens real sockets, so timeouts, resets and redirects behave as they do in
 * production.
 *
 * ```ts
 * const server = await startHttpServer({
 *   '/version': json({ version: '2.4.1', commit: '9f86d08' }),
 *   '/slow': hang(),                         // never answers (timeout)
 *   '/boom': status(500, 'oops'),
 *   '/reset': reset(),                       // socket.destroy() before any byte
 *   '/loop': redirect('/loop'),              // redirect loop
 * });
 * server.url('/version');                    // http://127.0.0.1:PORT/version
 * server.requests;                           // what arrived (method, path, headers)
 * await server.close();                      // in afterEach/afterAll
 * ```
 *
 * `startHttpServer(routes, { tls: { key, cert } })` serves HTTPS instead
 * (see tests/fixtures/http/self-signed-*.pem).
 */
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** How one path answers. */
export type Endpoint = (request: IncomingMessage, response: ServerResponse) => void;

/** A JSON body (`application/json` unless told otherwise). */
export const json = (body: unknown, options: { status?: number; contentType?: string } = {}): Endpoint =>
  raw(JSON.stringify(body), { status: options.status ?? 200, contentType: options.contentType ?? 'application/json' });

/** A text body (`text/plain; charset=utf-8` unless told otherwise). */
export const text = (body: string, options: { status?: number; contentType?: string } = {}): Endpoint =>
  raw(body, { status: options.status ?? 200, contentType: options.contentType ?? 'text/plain; charset=utf-8' });

/** Any body; `contentType: null` sends no Content-Type header at all. */
export const raw =
  (body: string, options: { status?: number; contentType?: string | null; headers?: Record<string, string> } = {}): Endpoint =>
  (_request, response) => {
    const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(body), ...options.headers };
    if (options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/octet-stream';
    response.writeHead(options.status ?? 200, headers);
    response.end(body);
  };

/** A status with a short text body, e.g. `status(503, 'maintenance')`. */
export const status = (code: number, body = ''): Endpoint => text(body, { status: code });

/** A redirect (302 by default) to `location` (relative or absolute). */
export const redirect =
  (location: string, code = 302): Endpoint =>
  (_request, response) => {
    response.writeHead(code, { location, 'content-length': 0 });
    response.end();
  };

/** Never answers: the client's timeout must fire. The socket is closed by `close()`. */
export const hang = (): Endpoint => () => {};

/** Answers with `endpoint` after `ms` milliseconds (a slow but working service). */
export const delayed =
  (ms: number, endpoint: Endpoint): Endpoint =>
  (request, response) => {
    const timer = setTimeout(() => endpoint(request, response), ms);
    response.on('close', () => clearTimeout(timer));
  };

/** Destroys the socket before sending anything (the client sees a reset/closed connection). */
export const reset = (): Endpoint => (request) => request.socket.destroy();

/** Sends the headers and part of the body, then destroys the socket mid-body. */
export const resetMidBody =
  (partial: string, contentType = 'application/json'): Endpoint =>
  (request, response) => {
    response.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(partial) + 100 });
    response.write(partial, () => request.socket.destroy());
  };

/** A request as the server saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

export interface TestServer {
  /** `http(s)://127.0.0.1:PORT` */
  origin: string;
  /** The absolute URL of `path` on this server. */
  url(path: string): string;
  /** Requests received so far, in order. */
  requests: SeenRequest[];
  /** Closes the server and destroys every open connection (hanging ones too). */
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 on a free port (or `options.port`). Unknown paths answer 404. */
export async function startHttpServer(
  routes: Record<string, Endpoint>,
  options: { tls?: { key: string | Buffer; cert: string | Buffer }; port?: number } = {},
): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    requests.push({ method: request.method ?? 'GET', path: request.url ?? '/', headers: request.headers });
    const endpoint = routes[path] ?? status(404, 'not found');
    endpoint(request, response);
  };
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createHttpServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    origin,
    url: (path) => `${origin}${path}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on 127.0.0.1 where nothing listens (a port that was just freed). */
export async function refusedUrl(path = '/version'): Promise<string> {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}
