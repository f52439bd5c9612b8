/** Links inside the site, with Astro's `base` prefixed (a GitHub Pages project site lives under `/<repo>/`). */
import { withBase } from '../views/links.ts';

const BASE: string = (import.meta as unknown as { env: { BASE_URL: string } }).env.BASE_URL;

export function href(path: string): string {
  return withBase(BASE, path);
}
