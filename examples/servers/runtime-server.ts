/**
 * The demo organisation's version endpoints: a node:http server on 127.0.0.1
 * answering `GET /{service}/{environment}/version` with what that service
 * *actually* runs there, in the shape its stack reports it (the `http`
 * source understands all three out of the box, see
 * collectors/http/parse-version.ts):
 *
 * - `flat`: `{"version": "2.7.0", "commit": "9f86d08"}`;
 * - `spring-boot`: Spring Boot's `/actuator/info` body, `build.version` and
 *   `git.commit.id` (https://docs.spring.io/spring-boot/reference/actuator/endpoints.html);
 * - `plain-text`: the version alone, as text.
 *
 * `scripts/demo.mjs` replaces `reports` before every simulated night; an
 * endpoint with no report answers 404, as an undeployed service would.
 */
import { createServer, type Server } from 'node:http';
import { listenOnLoopback } from './listen.ts';

/** What one version endpoint reports. */
export interface RuntimeReport {
  service: string;
  environment: string;
  version: string;
  /** Abbreviated commit, or null when the endpoint does not tell it. */
  commit: string | null;
  shape: 'flat' | 'spring-boot' | 'plain-text';
}

export interface RuntimeServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** The reports served now; replace them to move to another night. */
  reports: RuntimeReport[];
  /** How many requests were answered (for the demo's progress line). */
  requests: number;
  close(): Promise<void>;
}

function body(report: RuntimeReport): { type: string; text: string } {
  switch (report.shape) {
    case 'spring-boot':
      return {
        type: 'application/vnd.spring-boot.actuator.v3+json',
        text: JSON.stringify({
          build: { artifact: report.service, name: report.service, group: 'com.acme', version: report.version },
          git: { branch: 'main', commit: { id: report.commit } },
        }),
      };
    case 'plain-text':
      return { type: 'text/plain; charset=utf-8', text: `${report.version}\n` };
    default:
      return { type: 'application/json', text: JSON.stringify({ service: report.service, version: report.version, commit: report.commit }) };
  }
}

/** Starts the server on `port` (rejects with EADDRINUSE when taken) or on a free port. */
export async function startRuntimeServer(options: { port?: number } = {}): Promise<RuntimeServer> {
  const state: RuntimeServer = { url: '', port: 0, reports: [], requests: 0, close: async () => {} };
  const server: Server = createServer((request, response) => {
    state.requests += 1;
    const match = /^\/([A-Za-z0-9._-]+)\/([A-Za-z0-9._-]+)\/version$/.exec((request.url ?? '/').split('?', 1)[0]!);
    const report = match && request.method === 'GET' ? state.reports.find((r) => r.service === match[1] && r.environment === match[2]) : undefined;
    if (!report) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('not found\n');
      return;
    }
    const { type, text } = body(report);
    response.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
    response.end(text);
  });
  const port = await listenOnLoopback(server, options.port);
  state.port = port;
  state.url = `http://127.0.0.1:${port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
