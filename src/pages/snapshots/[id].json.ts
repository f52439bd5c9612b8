/**
 * `/snapshots/ID.json` (config `site.snapshotCopies: json`): the ledger
 * file's bytes, unchanged, so an auditor can hash the download and compare it
 * with the chain. A static endpoint, so plain `astro build` and the dev server
 * serve it too; `buildSite` copies the files instead
 * (`SiteOptions.copySnapshots`), which is twenty times cheaper.
 * https://docs.astro.build/en/guides/endpoints/#static-file-endpoints
 */
import type { APIRoute, GetStaticPaths } from 'astro';
import { rawSnapshot, renders, snapshotCopies, snapshotIds } from '../../site/data.ts';

export const getStaticPaths: GetStaticPaths = async () => {
  if (snapshotCopies !== 'json') return [];
  return (await snapshotIds()).filter((id) => renders('snapshots', id)).map((id) => ({ params: { id } }));
};

export const GET: APIRoute = async ({ params }) => {
  const bytes = await rawSnapshot(String(params.id));
  return new Response(new Uint8Array(bytes), { headers: { 'content-type': 'application/json' } });
};
