// Plain `astro build` / `astro dev` read the ledger in this repository's
// `content/snapshots`. `release-ledger build` calls `buildSite()` instead
// (src/site/build.ts), which passes the ledger beside the user's config.
import { defineConfig } from 'astro/config';
import { DEFAULT_SNAPSHOTS_DIR, siteConfig } from './src/site/config.ts';

export default defineConfig(siteConfig({ snapshotsDir: DEFAULT_SNAPSHOTS_DIR }));
