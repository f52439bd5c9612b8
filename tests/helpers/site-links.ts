/**
 * Every internal link of a built site and whether its file exists: the site
 * is static, so a link whose file is missing is a 404 for the reader (the
 * 404 page resolves typed-in day URLs, but the site's own links must not
 * need it).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** How many internal `href`/`src` links the site's HTML holds, and `{ page, href }` for each whose target file does not exist. */
export async function siteLinks(dir: string, base = '/'): Promise<{ checked: number; broken: { page: string; href: string }[] }> {
  const pages = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.html')).map((e) => path.join(e.parentPath, e.name));
  const exists = new Map<string, Promise<boolean>>();
  const has = (file: string) => {
    let known = exists.get(file);
    if (!known) exists.set(file, (known = stat(file).then((s) => s.isFile(), () => false)));
    return known;
  };
  const broken: { page: string; href: string }[] = [];
  let checked = 0;
  for (const page of pages) {
    const html = await readFile(page, 'utf8');
    const pageUrl = new URL(`http://site${base}${path.relative(dir, page).split(path.sep).join('/').replace(/index\.html$/, '')}`);
    for (const match of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
      const raw = match[1]!.replaceAll('&amp;', '&');
      if (raw === '' || raw.startsWith('#') || /^[a-z][a-z0-9+.-]*:/i.test(raw) || raw.startsWith('//')) continue;
      const url = new URL(raw, pageUrl);
      if (url.host !== 'site' || !url.pathname.startsWith(base)) continue;
      checked++;
      const rel = decodeURIComponent(url.pathname.slice(base.length));
      const file = path.join(dir, rel.endsWith('/') || rel === '' ? `${rel}index.html` : rel);
      if (!(await has(file)) && !(await has(path.join(file, 'index.html')))) broken.push({ page: path.relative(dir, page), href: raw });
    }
  }
  return { checked, broken };
}
