/**
 * `/services/NAME/revisions.json`: `{ days, through }` — the days NAME has a
 * day page, oldest first (views/revisions.ts), and the last day a snapshot
 * recorded it (a page stands until the next revision, but never past that). The 404 page reads it to send a typed-in
 * `/days/D/services/NAME/` to the page in force on D.
 */
import type { APIRoute, GetStaticPaths } from 'astro';
import { ledgerIndex } from '../../../site/data.ts';
import { revisionDays } from '../../../site/service-links.ts';

export const getStaticPaths: GetStaticPaths = async () => (await ledgerIndex()).services.map((name) => ({ params: { name } }));

export const GET: APIRoute = async ({ params }) => {
  const name = String(params.name);
  const through = [...(await ledgerIndex()).days].reverse().find((d) => d.services.includes(name))?.date ?? null;
  return new Response(JSON.stringify({ days: await revisionDays(name), through }), { headers: { 'content-type': 'application/json' } });
};
