/** Debian's Chromium through playwright-core, with the flags of the common brief (no network, no sync, no GPU). */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** A4 is 210 mm; site.css prints with 12 mm margins: 186 mm of content, in CSS px (96 per inch). */
export const A4_CONTENT_PX = Math.floor((186 / 25.4) * 96);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * A new page that may load from 127.0.0.1 only: nothing may leave the machine at view
 * time (no CDN, no fonts, no analytics), so anything else is aborted and its URL pushed onto `external`.
 */
export async function offlinePage(opener: Browser | BrowserContext, external: string[]): Promise<Page> {
  const page = await opener.newPage();
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith('http://127.0.0.1:')) return route.continue();
    external.push(u);
    return route.abort();
  });
  return page;
}

/** Words in the visible table cells matching `cells` that go to a new line anywhere but right after a hyphen or slash ("Environme nt", "a p i - g a t e w a y"). */
export function brokenWords(page: Page, cells = 'th, td'): Promise<string[]> {
  return page.evaluate((selector) => {
    const broken: string[] = [];
    for (const cell of document.querySelectorAll(selector)) {
      // Collapsed (a closed <details>) is not on screen, so it cannot break.
      if (!cell.checkVisibility()) continue;
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.parentElement?.checkVisibility()) continue;
        const text = node.textContent ?? '';
        for (const m of text.matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          if (tops.size < 2) continue;
          // Where the word goes to a new line: only right after a hyphen or a slash, as text wraps ("payments-" "api").
          let previousTop: number | null = null;
          for (let i = 0; i < m[0].length; i++) {
            range.setStart(node, m.index + i);
            range.setEnd(node, m.index + i + 1);
            const rect = [...range.getClientRects()].find((r) => r.width > 0);
            if (!rect) continue;
            const top = Math.round(rect.top);
            if (previousTop !== null && top !== previousTop && !'-/'.includes(m[0][i - 1]!)) {
              broken.push(`${cell.tagName.toLowerCase()} "${m[0]}" breaks before "${m[0].slice(i)}"`);
              break;
            }
            previousTop = top;
          }
        }
      }
    }
    return broken;
  }, cells);
}

/** The deepest elements whose right edge passes `width` (what makes a page scroll sideways). */
export function widerThan(page: Page, width: number): Promise<string[]> {
  return page.evaluate((w) => {
    const wide = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > w + 1);
    // Inside a scrolling wrapper is fine: only what reaches the page counts.
    const clipped = (el: Element) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible' && p.getBoundingClientRect().right <= w + 1) return true;
      return false;
    };
    return wide.filter((el) => !clipped(el)).map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)} px): ${(el.textContent ?? '').slice(0, 40)}`);
  }, width);
}
