/** `/changes/services/NAME.json`: where each pull request of one service has run, loaded by `/changes/` for the hits, with the change page of the deployment each cell names. */
import type { APIRoute, GetStaticPaths } from 'astro';
import { changeOfDeploymentLookup, ledgerIndex, renders } from '../../../site/data.ts';
import { href } from '../../../site/url.ts';
import { paths } from '../../../views/index.ts';
import { buildServiceDetail } from '../../../views/search.ts';

export const getStaticPaths: GetStaticPaths = async () => (await ledgerIndex()).services.filter((name) => renders('services', name)).map((name) => ({ params: { name } }));

export const GET: APIRoute = async ({ params }) => {
  const change = await changeOfDeploymentLookup();
  const changeHref = (service: string, environment: string, deployedAt: string, snapshot: string) => {
    const id = change(service, environment, deployedAt, snapshot);
    return id ? href(paths.change(id)) : null;
  };
  return new Response(JSON.stringify(buildServiceDetail(await ledgerIndex(), String(params.name), changeHref)), { headers: { 'content-type': 'application/json' } });
};
