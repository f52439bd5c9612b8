/**
 * Draws the dependency graphs of a page in the browser. Imported from the
 * `<script>` of Graph.astro; mermaid's own browser build ships with the site
 * (mermaid-assets.ts, no CDN) and is imported by URL from the figure's
 * `data-mermaid`, so only pages with a graph load it.
 *
 * - `layout: 'dagre'`: mermaid 12 defaults to elk, a 1.5 MB chunk; dagre keeps
 *   a graph page near 220 KB gzipped (measured, issue 4).
 * - `securityLevel: 'strict'`: labels are sanitised and click handlers refused.
 *   https://mermaid.js.org/config/usage.html#securitylevel
 * - `maxEdges` / `maxTextSize` match the limits the view (src/views/graph.ts)
 *   checks before it emits a source, so mermaid never draws its error picture.
 */
import type { Mermaid } from 'mermaid';

export async function renderGraphs(root: ParentNode = document): Promise<void> {
  const figures = [...root.querySelectorAll<HTMLElement>('[data-graph]')];
  const url = figures[0]?.dataset.mermaid;
  if (!url) return;
  const { default: mermaid } = (await import(/* @vite-ignore */ url)) as { default: Mermaid };
  const dark = window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
  mermaid.initialize({
    startOnLoad: false,
    securityLevel: 'strict',
    layout: 'dagre',
    theme: dark ? 'dark' : 'default',
    maxEdges: 500,
    maxTextSize: 50_000,
    htmlLabels: false,
    deterministicIds: true,
    flowchart: { useMaxWidth: true },
  });
  let n = 0;
  for (const figure of figures) {
    const source = figure.querySelector('pre.mermaid-source')?.textContent;
    const target = figure.querySelector<HTMLElement>('.diagram');
    if (!source || !target) continue;
    try {
      const { svg } = await mermaid.render(`graph-${n++}`, source);
      // mermaid's output, sanitised by it under securityLevel 'strict'; labels were entity-encoded by the view.
      target.innerHTML = svg;
      target.dataset.rendered = 'true';
    } catch {
      target.textContent = 'The graph could not be drawn; the table below lists every edge.';
      target.dataset.rendered = 'error';
    }
  }
}
