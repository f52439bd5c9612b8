/**
 * `/environments/revisions.json`: `{ environments, compare }`, each name
 * (a compare pair as `A...B`, views/routes.ts `compareSeparator`) →
 * `{ days, through }` as `/services/NAME/revisions.json`: the days it has a
 * page, oldest first (views/revisions.ts), and the last day a snapshot
 * recorded it when the newest no longer does (else null). The 404 page reads
 * it to send a typed-in `/days/D/environments/NAME/` or `/days/D/compare/A...B/`
 * to the page in force on D. Ledger-wide: written on every build.
 */
import type { APIRoute } from 'astro';
import { ledgerIndex } from '../../site/data.ts';
import { environmentRevisionDays } from '../../site/service-links.ts';
import { compareSeparator, environmentsThrough } from '../../views/index.ts';

export const GET: APIRoute = async () => {
  const { environments, compare } = await environmentRevisionDays();
  const through = environmentsThrough(await ledgerIndex());
  const out = {
    environments: Object.fromEntries([...environments].map(([name, days]) => [name, { days, through: through.environments.get(name) ?? null }])),
    compare: Object.fromEntries(
      [...compare].map(([key, days]) => {
        const [a, b] = key.split('\u0000') as [string, string];
        return [`${a}${compareSeparator(a, b)}${b}`, { days, through: through.compare.get(key) ?? null }];
      }),
    ),
  };
  return new Response(JSON.stringify(out), { headers: { 'content-type': 'application/json' } });
};
