/**
 * Escaped HTML from plain functions, for the few tables that are too big to
 * render through Astro's component renderer: a 500 × 6 matrix is 3,000 cells,
 * and Astro walks every expression of every cell asynchronously, which made
 * the matrix most of a day page's build time. Everything interpolated is
 * escaped (the five characters Astro escapes too) unless it is already `Html`.
 */

/** A string of HTML that is safe to insert as is (built by `html`). */
export class Html {
  readonly value: string;

  constructor(value: string) {
    this.value = value;
  }

  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const SPECIAL = /[&<>"']/;

/** Text or an attribute value, escaped. */
export function escapeHtml(text: string): string {
  // Most values (names, versions, dates) hold nothing to escape: returned as they are, without a replace pass.
  return SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c]!) : text;
}

/**
 * `html\`<td title="${title}">${text}</td>\``: strings, numbers and arrays are
 * escaped, `Html` is inserted as is, and null, undefined and false are left out
 * (so `${cond && html\`…\`}` works as in JSX).
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1]!;
  return new Html(out);
}

function part(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(part).join('');
  return escapeHtml(String(value));
}
