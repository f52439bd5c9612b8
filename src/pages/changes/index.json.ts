/** `/changes/index.json`: the compact search index the `/changes/` page loads (same origin, no CDN). */
import type { APIRoute } from 'astro';
import { latestDay, ledgerIndex } from '../../site/data.ts';
import { releasesOverview } from '../../views/releases.ts';
import { buildSearchIndex } from '../../views/search.ts';

export const GET: APIRoute = async () => {
  const latest = await latestDay();
  // A ticket several services share is answered with every service's position (docs/releases.md).
  const releases = latest ? releasesOverview(latest.snapshot) : [];
  return new Response(JSON.stringify(buildSearchIndex(await ledgerIndex(), releases)), { headers: { 'content-type': 'application/json' } });
};
