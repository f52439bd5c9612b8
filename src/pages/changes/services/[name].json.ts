/** `/changes/services/NAME.json`: where each pull request of one service has run, loaded by `/changes/` for the hits, with the change page of the deployment each cell names. */
import type { APIRoute, GetStaticPaths } from 'astro';
import { ledgerIndex, pullRequestChangeHref, renders } from '../../../site/data.ts';
import { buildServiceDetail } from '../../../views/search.ts';

export const getStaticPaths: GetStaticPaths = async () => (await ledgerIndex()).services.filter((name) => renders('services', name)).map((name) => ({ params: { name } }));

export const GET: APIRoute = async ({ params }) => {
  const service = String(params.name);
  return new Response(JSON.stringify(buildServiceDetail(await ledgerIndex(), service, await pullRequestChangeHref(service))), { headers: { 'content-type': 'application/json' } });
};
