/**
 * Links to a service, an environment or a compare pair on a day go to its
 * revision in force that day (views/revisions.ts): only revision days have
 * those per-day pages.
 */
import { compareRevisions, dayComparePath, dayEnvironmentPath, dayServicePath, environmentRevisions, serviceRevisions } from '../views/index.ts';
import { ledgerIndex } from './data.ts';

let revisions: Promise<{ services: Map<string, string[]>; environments: Map<string, string[]>; compare: Map<string, string[]> }> | null = null;

function allRevisions() {
  revisions ??= ledgerIndex().then((index) => ({ services: serviceRevisions(index.days), environments: environmentRevisions(index.days), compare: compareRevisions(index.days) }));
  return revisions;
}

/** `(service) => path` for links from a page of `date`. */
export async function dayServiceLinker(date: string): Promise<(service: string) => string> {
  const { services } = await allRevisions();
  return (service) => dayServicePath(services, date, service);
}

/** `(environment) => path` and `(a, b) => path` for links from a page of `date`. */
export async function dayEnvironmentLinkers(date: string): Promise<{ environment: (name: string) => string; compare: (a: string, b: string) => string }> {
  const { environments, compare } = await allRevisions();
  return { environment: (name) => dayEnvironmentPath(environments, date, name), compare: (a, b) => dayComparePath(compare, date, a, b) };
}

/** A service's revision days, oldest first. */
export async function revisionDays(service: string): Promise<string[]> {
  return (await allRevisions()).services.get(service) ?? [];
}

/** Every environment's and compare pair's revision days (a pair keyed by views/revisions.ts `pairKey`). */
export async function environmentRevisionDays(): Promise<{ environments: Map<string, string[]>; compare: Map<string, string[]> }> {
  const { environments, compare } = await allRevisions();
  return { environments, compare };
}
