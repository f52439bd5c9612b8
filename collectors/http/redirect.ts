/**
 * Where a version endpoint may redirect the http source. One home for the
 * rule; `collectors/http/source.ts` asks it before every hop, so a refused target is
 * never connected to.
 *
 * - Only http and https, and never from https down to http.
 * - Never to a link-local address (169.254.0.0/16, RFC 3927; fe80::/10,
 *   RFC 4291) or a cloud metadata service: that is where AWS, GCP, Azure and
 *   Oracle serve instance credentials (169.254.169.254; AWS also at
 *   fd00:ec2::254, https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html;
 *   GCP also as metadata.google.internal and metadata,
 *   https://cloud.google.com/compute/docs/metadata/querying-metadata; Alibaba
 *   Cloud at 100.100.100.200). A redirect there is how a server-side request
 *   forgery reads them. Other spellings are covered: WHATWG URL parsing has
 *   already turned `2852039166` or `0xa9.0xfe.0xa9.0xfe` into
 *   `169.254.169.254`; IPv4-mapped IPv6 (`::ffff:a9fe:a9fe`) matches the IPv4
 *   rules; the NAT64 (`64:ff9b::a9fe:a9fe`) and IPv4-compatible
 *   (`::a9fe:a9fe`) forms are listed below.
 * - A name is checked again by what it resolves to (`collectors/http/source.ts`).
 */
import { BlockList, isIP } from 'node:net';
import { safeUrl } from './targets.ts';

const FORBIDDEN = new BlockList();
FORBIDDEN.addSubnet('169.254.0.0', 16, 'ipv4');
FORBIDDEN.addSubnet('fe80::', 10, 'ipv6');
// 169.254.0.0/16 written inside IPv6: the NAT64 well-known prefix (RFC 6052) and the old IPv4-compatible form.
FORBIDDEN.addSubnet('64:ff9b::a9fe:0', 112, 'ipv6');
FORBIDDEN.addSubnet('::a9fe:0', 112, 'ipv6');
FORBIDDEN.addAddress('fd00:ec2::254', 'ipv6');
FORBIDDEN.addAddress('100.100.100.200', 'ipv4');
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata']);

/** Whether an IP address is link-local or a cloud metadata address. */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && FORBIDDEN.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** A redirect target's host as an address or a name: no IPv6 brackets, no trailing dot, lower case. */
export function redirectHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.+$/, '').toLowerCase();
}

/** Why the redirect from `from` to `to` is refused, or undefined when it may be followed (a name is then still checked by what it resolves to). */
export function redirectRefusal(from: URL, to: URL): string | undefined {
  if (to.protocol !== 'https:' && to.protocol !== 'http:') return `redirect to a ${to.protocol} URL refused`;
  if (from.protocol === 'https:' && to.protocol === 'http:') return `redirect from https to ${safeUrl(to.href)} refused`;
  const host = redirectHost(to);
  if (METADATA_NAMES.has(host)) return `redirect to the cloud metadata host ${host} refused`;
  if (isForbiddenAddress(host)) return `redirect to the link-local or metadata address ${host} refused`;
  return undefined;
}
