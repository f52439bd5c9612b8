/**
 * Which tickets a change brought: the keys (e.g. PAY-123, `policies.ticketPattern`)
 * in its pull requests' titles and branch names, unique and sorted. Decided
 * here once for every source that does not record tickets itself (GitHub,
 * an inventory's changes without `tickets:`).
 *
 * The pattern is the user's and JavaScript has no linear-time regex engine,
 * so a backtracking pattern is quadratic in the text; each text is cut to
 * `TICKET_TEXT_MAX` characters first (a title's cap), which bounds the work
 * per pull request (docs/guarantees.md, "Bounded input").
 */
export const TICKET_TEXT_MAX = 256;

export function ticketsIn(pullRequests: readonly { title: string; branch?: string }[], pattern: string): string[] {
  const found = new Set<string>();
  const re = new RegExp(pattern, 'g');
  for (const pr of pullRequests) {
    for (const text of [pr.title, pr.branch ?? '']) {
      for (const match of text.slice(0, TICKET_TEXT_MAX).matchAll(re)) if (match[0]) found.add(match[0]);
    }
  }
  return [...found].sort();
}
