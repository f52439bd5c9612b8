/**
 * Links to a service on a day go to its revision in force that day
 * (views/revisions.ts): only revision days have a per-day service page.
 */
import { dayServicePath, serviceRevisions } from '../views/index.ts';
import { ledgerIndex } from './data.ts';

let revisions: Promise<Map<string, string[]>> | null = null;

/** `(service) => path` for links from a page of `date`. */
export async function dayServiceLinker(date: string): Promise<(service: string) => string> {
  revisions ??= ledgerIndex().then((index) => serviceRevisions(index.days));
  const map = await revisions;
  return (service) => dayServicePath(map, date, service);
}

/** A service's revision days, oldest first. */
export async function revisionDays(service: string): Promise<string[]> {
  revisions ??= ledgerIndex().then((index) => serviceRevisions(index.days));
  return (await revisions).get(service) ?? [];
}
