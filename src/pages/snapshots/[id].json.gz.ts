/**
 * `/snapshots/ID.json.gz` (config `site.snapshotCopies: gzip`, the default):
 * a gzip of the ledger file's bytes (ledger/gzip-copy.ts), which `gunzip`
 * gives back byte for byte. Served as a file (`application/gzip`), never with
 * `Content-Encoding`, so the download is the gzip itself. The endpoint serves
 * plain `astro build` and the dev server; `buildSite` writes the files itself.
 */
import type { APIRoute, GetStaticPaths } from 'astro';
import { gzipCopy } from '../../ledger/index.ts';
import { rawSnapshot, renders, snapshotCopies, snapshotIds } from '../../site/data.ts';

export const getStaticPaths: GetStaticPaths = async () => {
  if (snapshotCopies !== 'gzip') return [];
  return (await snapshotIds()).filter((id) => renders('snapshots', id)).map((id) => ({ params: { id } }));
};

export const GET: APIRoute = async ({ params }) => {
  const bytes = gzipCopy(await rawSnapshot(String(params.id)));
  return new Response(new Uint8Array(bytes), { headers: { 'content-type': 'application/gzip' } });
};
