/**
 * The `/changes/` page's script: loads the JSON index generated at build time
 * and answers "where is my PR / ticket now?" in the browser. Results are
 * built with DOM methods and `textContent` only, never HTML strings, so a
 * hostile PR title stays text.
 */
import { prWhereText, releaseFor, searchChanges, type SearchIndex, type ServiceDetail } from '../views/search-query.ts';
import { safeUrl } from '../views/format.ts';

export function startSearch(form: HTMLFormElement, output: HTMLElement, indexUrl: string, serviceUrl: (name: string) => string, releaseUrl?: (name: string) => string): void {
  let index: Promise<SearchIndex> | null = null;
  const details = new Map<string, Promise<ServiceDetail>>();
  const load = () => (index ??= fetch(indexUrl).then((r) => r.json() as Promise<SearchIndex>));
  const detail = (service: string) => {
    let d = details.get(service);
    if (!d) details.set(service, (d = fetch(serviceUrl(service)).then((r) => r.json() as Promise<ServiceDetail>)));
    return d;
  };
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string) => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const run = async () => {
    const query = new FormData(form).get('q');
    const q = typeof query === 'string' ? query : '';
    const params = new URLSearchParams({ q });
    history.replaceState(null, '', `?${params.toString()}`);
    output.replaceChildren(el('p', 'Searching…'));
    const idx = await load();
    const hits = searchChanges(idx, q);
    // A ticket several services share (or a declared release): every service's part, and whether they all arrived, per environment.
    const release = releaseFor(idx, q);
    const releaseLine = release ? [el('p', `${release.name} changed ${release.services.length} services (${release.services.join(', ')}): ${release.states.map((s) => `${s.environment} ${s.state}`).join(' · ')}. `)] : [];
    for (const line of releaseLine) {
      line.dataset['release'] = release!.name;
      if (!releaseUrl || !release!.page) continue;
      const a = el('a', 'Where each part is, day by day');
      a.href = releaseUrl(release!.name);
      line.append(a);
    }
    if (hits.length === 0) {
      output.replaceChildren(...releaseLine, el('p', q.trim() ? `Nothing matches “${q}”.` : 'Type a pull request (payments-api#123, #123), a ticket key (PAY-123) or words of a title.'));
      return;
    }
    const table = el('table');
    const head = el('tr');
    for (const h of ['Service', 'Pull request', 'Tickets', ...idx.environments]) head.append(el('th', h));
    table.append(el('thead'));
    table.tHead!.append(head);
    const body = el('tbody');
    for (const hit of hits) {
      const row = el('tr');
      row.append(el('td', hit.service));
      const prCell = el('td');
      const d = (await detail(hit.service)).prs[String(hit.number)];
      const url = safeUrl(d?.url ?? null);
      if (url) {
        const a = el('a', `#${hit.number}`);
        a.href = url;
        a.rel = 'nofollow noopener';
        prCell.append(a);
      } else prCell.append(document.createTextNode(`#${hit.number}`));
      prCell.append(document.createTextNode(` ${hit.title}`));
      row.append(prCell, el('td', hit.tickets.join(', ') || '—'));
      for (const env of idx.environments) {
        const cell = el('td');
        const text = d ? prWhereText(d.now[env], d.environments[env]).text : '—';
        // The change page of the deployment the cell names, as the build wrote its address (base path included; search.ts `buildServiceDetail`).
        const page = d?.changes?.[env];
        if (page && page.startsWith('/') && !page.startsWith('//')) {
          const a = el('a', text);
          a.href = page;
          cell.append(a);
        } else cell.textContent = text;
        row.append(cell);
      }
      body.append(row);
    }
    table.append(body);
    const wrap = el('div');
    wrap.className = 'table-wrap';
    wrap.append(table);
    output.replaceChildren(...releaseLine, el('p', `${hits.length} match${hits.length === 1 ? '' : 'es'} as of snapshot ${idx.asOf ?? '—'}.`), wrap);
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run();
  });
  const initial = new URLSearchParams(location.search).get('q');
  if (initial) {
    (form.elements.namedItem('q') as HTMLInputElement).value = initial;
    void run();
  }
}
