/**
 * mermaid in the site without bundling it on every build.
 *
 * Bundling mermaid through Vite was most of a nightly build's fixed cost
 * (4.8 s of a 9.7 s build of a small ledger, measured). mermaid publishes a
 * self-contained browser build (`dist/mermaid.esm.min.mjs` and its lazily
 * loaded chunks, no bare imports), so the site ships those files as they are
 * under `/_mermaid/<version>/` and `graph-client.ts` imports them by URL:
 * still bundled with the site, no CDN, loaded only when a graph comes into view, and
 * byte-identical from build to build. An Astro integration copies them after
 * the build and serves them in `astro dev`.
 * https://docs.astro.build/en/reference/integrations-reference/#astrobuilddone
 */
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';

const DIST = path.join(path.dirname(createRequire(import.meta.url).resolve('mermaid/package.json')), 'dist');
const VERSION: string = (JSON.parse(await readFile(path.join(DIST, '..', 'package.json'), 'utf8')) as { version: string }).version;

/** The folder of the site that holds mermaid's browser build. */
const FOLDER = `_mermaid/${VERSION}`;

/** The site path of mermaid's browser entry (before the base is added). */
export const MERMAID_ENTRY = `/${FOLDER}/mermaid.esm.min.mjs`;

/** The files to ship, relative to mermaid's `dist/`: the entry and its chunks, without source maps. */
async function mermaidFiles(): Promise<string[]> {
  const chunks = (await readdir(path.join(DIST, 'chunks', 'mermaid.esm.min'))).filter((f) => f.endsWith('.mjs')).sort();
  return ['mermaid.esm.min.mjs', ...chunks.map((f) => `chunks/mermaid.esm.min/${f}`)];
}

export function mermaidAssets(): AstroIntegration {
  let base = '/';
  return {
    name: 'release-ledger:mermaid',
    hooks: {
      'astro:config:done': ({ config }) => {
        base = config.base.endsWith('/') ? config.base : `${config.base}/`;
      },
      'astro:build:done': async ({ dir }) => {
        const out = path.join(fileURLToPath(dir), FOLDER);
        for (const file of await mermaidFiles()) {
          await mkdir(path.dirname(path.join(out, file)), { recursive: true });
          await copyFile(path.join(DIST, file), path.join(out, file));
        }
      },
      'astro:server:setup': async ({ server }) => {
        const files = new Set(await mermaidFiles());
        const prefix = `${base}${FOLDER}/`;
        server.middlewares.use((request, response, next) => {
          const url = (request.url ?? '').split('?')[0]!;
          const file = url.startsWith(prefix) ? url.slice(prefix.length) : null;
          if (!file || !files.has(file)) return next();
          response.setHeader('content-type', 'text/javascript; charset=utf-8');
          createReadStream(path.join(DIST, file)).pipe(response);
        });
      },
    },
  };
}
