/**
 * Every URL of the site, built from the route table (routes.ts) so the
 * documented URL scheme (docs/site.md) and the pages cannot drift apart.
 * Paths end in `/` (`trailingSlash: 'always'`, `build.format: 'directory'`).
 */
import { ROUTES, type Paths } from './routes.ts';

/** Prefixes the site's base path (Astro `base`, `/` by default). */
export function withBase(base: string, path: string): string {
  const prefix = base.endsWith('/') ? base.slice(0, -1) : base;
  return `${prefix}${path}`;
}

/** Every page's URL builder, from the route table (routes.ts). */
export const paths = Object.fromEntries(Object.entries(ROUTES).map(([name, r]) => [name, r.path])) as Paths;

export { compareSeparator } from './routes.ts';

/** `#finding-…` anchor id for a finding id; keeps URL-safe characters, encodes the rest as `~XX`. */
export function findingAnchor(id: string): string {
  return `finding-${encodeAnchor(id)}`;
}

/** `#row-…` anchor id for a matrix row. */
export function rowAnchor(service: string): string {
  return `row-${encodeAnchor(service)}`;
}

function encodeAnchor(text: string): string {
  let out = '';
  for (const ch of text) {
    if (/^[A-Za-z0-9._/-]$/.test(ch)) out += ch;
    else
      out += [...new TextEncoder().encode(ch)]
        .map((b) => `~${b.toString(16).toUpperCase().padStart(2, '0')}`)
        .join('');
  }
  return out;
}
