/**
 * The static "where is my change?" search: a compact JSON index generated at
 * build time (`/changes/index.json`) plus one detail file per service, and the
 * pure matcher the page's bundled script runs in the browser. No server, no
 * CDN; the same function is unit-tested here.
 */
import { byService, type LedgerIndex, type PrEntry } from './history.ts';
import type { SearchIndex, ServiceDetail } from './search-query.ts';
import { hasReleasePage, type ReleaseSummary } from './releases.ts';

export * from './search-query.ts';

export function buildSearchIndex(index: LedgerIndex, releases: readonly ReleaseSummary[] = []): SearchIndex {
  const serviceIndex = new Map(index.services.map((s, i) => [s, i]));
  return {
    ...(releases.length > 0 ? { releases: releases.map((r) => ({ name: r.name, services: r.components.map((c) => c.service), states: r.states, page: hasReleasePage(r.name) })) } : {}),
    v: 1,
    asOf: index.days[index.days.length - 1]?.lastId ?? null,
    environments: index.environments,
    services: index.services,
    prs: index.pullRequests.map((pr) => [
      serviceIndex.get(pr.service) ?? -1,
      pr.number,
      pr.title,
      pr.tickets,
      index.environments
        .map((env, i) => ((pr.environments[env] ?? []).some((iv) => iv.until === null) ? i : -1))
        .filter((i) => i >= 0),
    ]),
  };
}

/**
 * `/changes/services/NAME.json`. `changeHref`: the address of the change page
 * of the deployment a pull request's cell in an environment names, or null
 * (site/data.ts `pullRequestChangeHref`, as the service's page links it).
 */
export function buildServiceDetail(index: LedgerIndex, service: string, changeHref?: (pr: PrEntry, environment: string) => string | null): ServiceDetail {
  const prs: ServiceDetail['prs'] = {};
  for (const pr of byService(index).pullRequests.get(service) ?? []) {
    const changes: Record<string, string> = {};
    for (const environment of index.environments) {
      const page = changeHref?.(pr, environment);
      if (page) changes[environment] = page;
    }
    prs[String(pr.number)] = { title: pr.title, author: pr.author, mergedAt: pr.mergedAt, url: pr.url ?? null, environments: pr.environments, now: pr.now, ...(Object.keys(changes).length > 0 ? { changes } : {}) };
  }
  return { service, prs };
}
