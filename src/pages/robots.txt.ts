/**
 * `/robots.txt`: audit sites are often private, so crawlers are asked to stay
 * away unless the config says `site: { robots: allow }`
 * (https://www.rfc-editor.org/rfc/rfc9309). A request, not access control.
 */
import { robots } from 'virtual:release-ledger/site';

export function GET(): Response {
  const body = robots === 'allow' ? 'User-agent: *\nAllow: /\n' : 'User-agent: *\nDisallow: /\n';
  return new Response(body, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
}
