/** `/changes/index.json`: the compact search index the `/changes/` page loads (same origin, no CDN). */
import type { APIRoute } from 'astro';
import { ledgerIndex } from '../../site/data.ts';
import { buildSearchIndex } from '../../views/search.ts';

export const GET: APIRoute = async () => new Response(JSON.stringify(buildSearchIndex(await ledgerIndex())), { headers: { 'content-type': 'application/json' } });
