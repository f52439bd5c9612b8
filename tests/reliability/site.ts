/**
 * The site builder, when it is there: the suite drives collect -> build on
 * its own ledgers. Returns undefined when `src/site/build.ts` does not load
 * (the site is built by another part of the project; the cases that need it
 * then fail with a figure saying so).
 */
export type BuildFn = (options: { snapshotsDir: string; outDir: string }) => Promise<{ pages: number }>;

export async function siteBuilder(): Promise<BuildFn | undefined> {
  try {
    const { buildSite } = await import('../../src/site/build.ts');
    if (typeof buildSite !== 'function') return undefined;
    return (options) => buildSite({ ...options, siteName: 'Reliability Org', logLevel: 'error' });
  } catch {
    return undefined;
  }
}
