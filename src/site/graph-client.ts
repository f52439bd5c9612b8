/**
 * Draws the dependency graphs of a page in the browser. Imported from the
 * `<script>` of Graph.astro; mermaid's own browser build ships with the site
 * (mermaid-assets.ts, no CDN) and is imported by URL from the figure's
 * `data-mermaid`.
 *
 * mermaid is loaded only when a graph comes near the screen (or its figure is
 * opened), not with the page: on a day page it was 28 of 30 requests and
 * 910 KB of 972 KB before anyone looked at the graph (issue 19). Without
 * JavaScript, or before it draws, the edge table beside it says everything.
 * https://developer.mozilla.org/en-US/docs/Web/API/Intersection_Observer_API
 *
 * - `layout: 'dagre'`: mermaid 12 defaults to elk, a 1.5 MB chunk.
 * - `securityLevel: 'strict'`: labels are sanitised and click handlers refused.
 *   https://mermaid.js.org/config/usage.html#securitylevel
 * - `maxEdges` / `maxTextSize` match the limits the view (src/views/graph.ts)
 *   checks before it emits a source, so mermaid never draws its error picture.
 * - `wrappingWidth`: mermaid wraps SVG labels at 200 px by default and splits a
 *   longer word letter by letter ("notification-servi ce"); service names are
 *   single words, so a node wraps only between name and version.
 * - Edges carry no labels (src/views/graph.ts): mermaid drew them away from
 *   their edges; the edge table holds ranges and versions.
 */
import type { Mermaid } from 'mermaid';

/** How far below the screen a graph starts loading, so it is usually drawn by the time it is seen. */
const AHEAD = '400px';

let loading: Promise<Mermaid> | null = null;
const dark = typeof window !== 'undefined' && (window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false);

function loadMermaid(url: string): Promise<Mermaid> {
  loading ??= (import(/* @vite-ignore */ url) as Promise<{ default: Mermaid }>).then(({ default: mermaid }) => {
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: 'strict',
      layout: 'dagre',
      theme: dark ? 'dark' : 'default',
      maxEdges: 500,
      maxTextSize: 50_000,
      htmlLabels: false,
      deterministicIds: true,
      flowchart: { useMaxWidth: true, wrappingWidth: 400 },
    });
    return mermaid;
  });
  return loading;
}

let drawn = 0;
/** mermaid.render is not re-entrant; one figure at a time. */
let queue: Promise<void> = Promise.resolve();

function draw(figure: HTMLElement): Promise<void> {
  const target = figure.querySelector<HTMLElement>('.diagram');
  const source = figure.querySelector('pre.mermaid-source')?.textContent;
  const url = figure.dataset.mermaid;
  if (!target || !source || !url || 'drawing' in target.dataset) return queue;
  target.dataset.drawing = '';
  queue = queue.then(async () => {
    try {
      const mermaid = await loadMermaid(url);
      const { svg } = await mermaid.render(`graph-${drawn++}`, source);
      // mermaid's output, sanitised by it under securityLevel 'strict'; labels were entity-encoded by the view.
      target.innerHTML = svg;
      target.dataset.rendered = 'true';
      // A dark drawing (light text, its fills dropped on paper) does not print; the table does (site.css).
      if (dark) target.dataset.theme = 'dark';
    } catch {
      target.textContent = 'The graph could not be drawn; the table below lists every edge.';
      target.dataset.rendered = 'error';
    }
  });
  return queue;
}

/** Draws each graph of `root` once it is within AHEAD of the screen; returns at once. */
export function renderGraphs(root: ParentNode = document): void {
  const figures = [...root.querySelectorAll<HTMLElement>('[data-graph]')];
  if (figures.length === 0) return;
  if (typeof IntersectionObserver === 'undefined') {
    for (const figure of figures) void draw(figure);
    return;
  }
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer.unobserve(entry.target);
        void draw(entry.target as HTMLElement);
      }
    },
    { rootMargin: `${AHEAD} 0px` },
  );
  for (const figure of figures) {
    figure.querySelector<HTMLElement>('.diagram')?.setAttribute('data-waiting', '');
    observer.observe(figure);
  }
}
