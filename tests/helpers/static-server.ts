/**
 * A tiny static file server on 127.0.0.1 for the built site (what any static
 * host does): `/x/` serves `x/index.html`, files are served as they are, and
 * everything else is a 404 — with the site's `404.html` as its body when
 * there is one, as GitHub Pages does. Paths that leave the root are refused.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.gz': 'application/gzip',
  '.svg': 'image/svg+xml',
};

export async function serveStatic(root: string): Promise<{ url: (p: string) => string; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    void (async () => {
      const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
      let file = path.join(root, pathname);
      if (!file.startsWith(path.resolve(root))) return end(404);
      if (pathname.endsWith('/')) file = path.join(file, 'index.html');
      try {
        if (!(await stat(file)).isFile()) return end(404);
      } catch {
        return end(404);
      }
      response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      createReadStream(file).pipe(response);
    })();
    function end(status: number) {
      const page = path.join(root, '404.html');
      stat(page).then(
        () => {
          response.writeHead(status, { 'content-type': TYPES['.html']! });
          createReadStream(page).pipe(response);
        },
        () => {
          response.writeHead(status, { 'content-type': 'text/plain' });
          response.end(String(status));
        },
      );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (p: string) => `http://127.0.0.1:${port}${p}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
