/** The footer of a day page: what the page depends on, so an auditor can check it. */
import type { Snapshot } from '../model/index.ts';
import { paths } from './links.ts';

export interface FooterLine {
  label: string;
  value: string;
  /** A path inside the site (the caller prefixes the base). */
  path?: string;
}

export function dayFooter(snapshot: Snapshot, hashes: { chain: string; file: string }, siteGenerator: string): FooterLine[] {
  return [
    { label: 'Snapshot', value: snapshot.id, path: paths.snapshot(snapshot.id) },
    { label: 'sha256 (canonical JSON, the hash chain)', value: hashes.chain },
    { label: 'sha256 (file bytes, as downloaded)', value: hashes.file },
    { label: 'Previous snapshot', value: snapshot.previous ? `${snapshot.previous.id} sha256 ${snapshot.previous.sha256}` : 'none (first snapshot)' },
    { label: 'Collected by', value: `${snapshot.generator.name} ${snapshot.generator.version} (rules ${snapshot.generator.rulesVersion})` },
    { label: 'Page rendered by', value: `release-ledger ${siteGenerator}` },
  ];
}

/** The footer of pages built from the whole ledger (home, stats, services, changes). */
/** A service's history page: the last snapshot that changed what it shows (it is not re-rendered on nights that change nothing there). */
export function serviceFooter(lastChangeId: string | null, siteGenerator: string): FooterLine[] {
  return [
    { label: 'Last changed by snapshot', value: lastChangeId ?? 'none', ...(lastChangeId ? { path: paths.snapshot(lastChangeId) } : {}) },
    { label: 'Page rendered by', value: `release-ledger ${siteGenerator}` },
  ];
}

export function ledgerFooter(lastId: string | null, siteGenerator: string): FooterLine[] {
  return [
    { label: 'As of snapshot', value: lastId ?? 'none', ...(lastId ? { path: paths.snapshot(lastId) } : {}) },
    { label: 'Page rendered by', value: `release-ledger ${siteGenerator}` },
  ];
}
