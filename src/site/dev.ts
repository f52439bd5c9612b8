/**
 * `devSite()`: Astro's dev server over a ledger (https://docs.astro.build/en/reference/programmatic-reference/#dev).
 * Astro's start-up check of the npm registry for a newer version is switched
 * off by the CLI entry (bin/release-ledger.mjs sets ASTRO_DISABLE_UPDATE_CHECK,
 * as it does ASTRO_TELEMETRY_DISABLED): only the entry touches process.env.
 */
import path from 'node:path';
import type { SnapshotCopies } from '../model/index.ts';
import { siteConfig } from './config.ts';

export async function devSite(options: { snapshotsDir: string; port?: number; host?: string; snapshotCopies?: SnapshotCopies }): Promise<{ url: string; close(): Promise<void> }> {
  const { dev } = await import('astro');
  const server = await dev({
    ...siteConfig({ snapshotsDir: path.resolve(options.snapshotsDir), ...(options.snapshotCopies ? { snapshotCopies: options.snapshotCopies } : {}) }),
    configFile: false,
    server: { port: options.port ?? 4321, host: options.host ?? '127.0.0.1' },
    logLevel: 'warn',
  });
  const address = server.address;
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return { url: `http://${host}:${address.port}/`, close: () => server.stop() };
}
