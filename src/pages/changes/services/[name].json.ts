/** `/changes/services/NAME.json`: where each pull request of one service has run, loaded by `/changes/` for the hits. */
import type { APIRoute, GetStaticPaths } from 'astro';
import { ledgerIndex, renders } from '../../../site/data.ts';
import { buildServiceDetail } from '../../../views/search.ts';

export const getStaticPaths: GetStaticPaths = async () => (await ledgerIndex()).services.filter((name) => renders('services', name)).map((name) => ({ params: { name } }));

export const GET: APIRoute = async ({ params }) =>
  new Response(JSON.stringify(buildServiceDetail(await ledgerIndex(), String(params.name))), { headers: { 'content-type': 'application/json' } });
