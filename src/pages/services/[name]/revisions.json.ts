/**
 * `/services/NAME/revisions.json`: `{ days, through }` — the days NAME has a
 * day page, oldest first (views/revisions.ts), and the last day a snapshot
 * recorded it when the newest no longer does (else null: the 404 page knows
 * the newest day). A page stands until the next revision, never past that. The 404 page reads it to send a typed-in
 * `/days/D/services/NAME/` to the page in force on D.
 */
import type { APIRoute, GetStaticPaths } from 'astro';
import { ledgerIndex, renders } from '../../../site/data.ts';
import { revisionDays } from '../../../site/service-links.ts';
import { serviceThrough } from '../../../views/index.ts';

export const getStaticPaths: GetStaticPaths = async () => (await ledgerIndex()).services.filter((name) => renders('services', name)).map((name) => ({ params: { name } }));

export const GET: APIRoute = async ({ params }) => {
  const name = String(params.name);
  const through = serviceThrough(await ledgerIndex(), name);
  return new Response(JSON.stringify({ days: await revisionDays(name), through }), { headers: { 'content-type': 'application/json' } });
};
