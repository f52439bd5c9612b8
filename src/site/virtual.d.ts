// The options module `siteOptionsPlugin` (config.ts) serves to the pages.
declare module 'virtual:release-ledger/site' {
  /** Absolute folder of `<id>.json` snapshots. */
  export const snapshotsDir: string;
  /** Overrides the organisation name in the header, or null. */
  export const siteName: string | null;
  /** What robots.txt asks of crawlers. */
  export const robots: 'allow' | 'disallow';
  /** The version of release-ledger building the pages (shown in every footer). */
  export const generatorVersion: string;
  /** The precomputed cross-day index (JSON), or null to build it from the snapshots. */
  export const indexFile: string | null;
  /** Snapshot id → chain hash (JSON), or null to compute them. */
  export const chainsFile: string | null;
  /** `buildSite` copies `/snapshots/ID.json` itself; the endpoint renders none. */
  export const snapshotsCopied: boolean;
  /** How `/snapshots/` publishes each snapshot (config `site.snapshotCopies`). */
  export const snapshotCopies: import('../model/index.ts').SnapshotCopies;
  /** Site path of mermaid's browser build (mermaid-assets.ts), before the base is added. */
  export const mermaidEntry: string;
}
