/**
 * The `http` source: what is *observed* running. For every service that lists
 * the source and every environment with a `versionUrl`, it GETs the version
 * endpoint and hands the body to `parseVersionBody` (collectors/http/).
 *
 * - Timeout: one `AbortSignal.timeout(timeoutMs)` covers the whole exchange
 *   (redirects and body included).
 * - Redirects are followed by hand (`redirect: 'manual'`) so the limit is
 *   ours, a redirect to another scheme, to https -> http, or to a link-local or
 *   cloud metadata address is refused before connecting
 *   (collectors/http/redirect.ts), and the configured headers are
 *   only sent to the origin they were configured for (as browsers do with
 *   Authorization, https://fetch.spec.whatwg.org/#http-redirect-fetch).
 * - TLS is verified by default. `insecureTls: true` sends https requests
 *   through `node:https` with `rejectUnauthorized: false` instead of the
 *   injected fetch: Node's built-in fetch only takes that option through an
 *   undici `Agent` (`dispatcher`), and undici is not a dependency of ours.
 * - Headers come from environment variables (`headersEnv`); their values are
 *   sent and never stored or printed. A missing variable is a gap naming it.
 *   Userinfo in a versionUrl (`https://user:pw@host/…`) is sent as Basic auth;
 *   the stored URL never carries it, nor the query string.
 * - Every failure is a gap for exactly that service and environment, with the
 *   reason: timeout, HTTP status, too many redirects, wrong content type,
 *   unparsable body (with the shapes tried), connection refused or reset.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import type { Collector, Evidence, Gap, HttpSourceConfig, Observed, SourceContext } from '../../src/model/index.ts';
import { emptyEvidence } from '../../src/model/index.ts';
import { mapLimit } from '../shared/pool.ts';
import { isForbiddenAddress, parseVersionBody, planHttpTargets, redirectHost, redirectRefusal, resolveHeaders } from './index.ts';
import type { HttpTarget, VersionReport } from './index.ts';
import { readBodyCapped } from '../shared/capped-body.ts';
import { networkFailure } from '../shared/network-errors.ts';

/** Version bodies are tiny; anything bigger is not a version endpoint. */
const MAX_BODY_BYTES = 1024 * 1024;

type Outcome = { ok: true; report: VersionReport } | { ok: false; reason: string };

type Lookup = NonNullable<SourceContext['lookup']>;

interface AskOptions {
  fetch: typeof globalThis.fetch;
  lookup: Lookup;
  headers: Record<string, string>;
  timeoutMs: number;
  maxRedirects: number;
  versionPath: string | undefined;
  commitPath: string | undefined;
}

export const collectHttp: Collector<HttpSourceConfig> = async (context) => {
  const { settings } = context;
  const evidence: Evidence = emptyEvidence();
  const plan = planHttpTargets({
    source: context.name,
    services: context.services,
    environments: context.config.environments.map((e) => e.name),
    environmentMap: settings.environments,
  });
  evidence.gaps.push(...plan.gaps);
  const gapFor = (target: HttpTarget, reason: string): Gap => ({
    source: context.name,
    service: target.service,
    environment: target.environment,
    evidence: 'observed',
    reason,
  });

  const { headers, problems } = resolveHeaders(settings.headersEnv, context.env);
  if (problems.length > 0) {
    // Asking without the configured credentials would only produce 401s; say what to set instead.
    for (const target of plan.targets) evidence.gaps.push(gapFor(target, `${problems.join('; ')} (not asked: ${target.safeUrl})`));
    return finish(evidence, context.progress, context.name, plan.targets.length);
  }

  const options: AskOptions = {
    fetch: settings.insecureTls ? insecureTlsFetch(context.fetch) : context.fetch,
    lookup: context.lookup ?? ((host) => dnsLookup(host, { all: true, verbatim: true })),
    headers,
    timeoutMs: settings.timeoutMs,
    maxRedirects: settings.maxRedirects,
    versionPath: settings.versionPath,
    commitPath: settings.commitPath,
  };
  const at = context.now.toISOString();
  // A service's own paths win over the source's, field by field (docs/sources.md, "Version endpoints").
  const services = new Map(context.services.map((s) => [s.name, s]));
  const pathsFor = (service: string) => ({
    versionPath: services.get(service)?.versionPath ?? settings.versionPath,
    commitPath: services.get(service)?.commitPath ?? settings.commitPath,
  });
  const outcomes = await mapLimit(plan.targets, settings.concurrency, (target) => askVersion(target.url, { ...options, ...pathsFor(target.service) }));
  plan.targets.forEach((target, i) => {
    const outcome = outcomes[i]!;
    if (outcome.ok) {
      const observed: Observed = {
        service: target.service,
        environment: target.environment,
        version: outcome.report.version,
        commit: outcome.report.commit,
        at,
        source: context.name,
        url: target.safeUrl,
      };
      evidence.observed.push(observed);
    } else {
      evidence.gaps.push(gapFor(target, `GET ${target.safeUrl}: ${outcome.reason}`));
    }
  });
  return finish(evidence, context.progress, context.name, plan.targets.length);
};

function finish(evidence: Evidence, progress: (message: string) => void, name: string, asked: number): Evidence {
  const key = (x: { service?: string | undefined; environment?: string | undefined }) => `${x.service ?? ''}\u0000${x.environment ?? ''}`;
  const byKey = (a: { service?: string; environment?: string }, b: { service?: string; environment?: string }) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
  evidence.observed.sort(byKey);
  evidence.gaps.sort((a, b) => byKey(a, b) || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
  progress(`${name}: ${evidence.observed.length} of ${asked} version endpoints answered, ${evidence.gaps.length} gap(s)`);
  return evidence;
}

/** GET a version endpoint, following redirects by hand; never throws. */
async function askVersion(startUrl: string, options: AskOptions): Promise<Outcome> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let url = new URL(startUrl);
  const origin = url.origin;
  // fetch refuses URLs with userinfo (https://fetch.spec.whatwg.org/#dom-request);
  // send them as Basic auth instead, unless an Authorization header is configured.
  const headers = { ...options.headers };
  if (url.username || url.password) {
    const basic = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) headers['Authorization'] = `Basic ${basic}`;
    url.username = '';
    url.password = '';
  }
  let phase: 'connect' | 'body' = 'connect';
  try {
    for (let redirects = 0; ; redirects++) {
      phase = 'connect';
      const response = await options.fetch(url, {
        method: 'GET',
        redirect: 'manual',
        signal,
        headers: {
          accept: 'application/json, text/plain;q=0.9, */*;q=0.1',
          'user-agent': 'release-ledger (http source)',
          ...(url.origin === origin ? headers : {}),
        },
      });
      if (response.status >= 300 && response.status < 400 && response.status !== 304) {
        const location = response.headers.get('location');
        await response.body?.cancel();
        if (!location) return { ok: false, reason: `HTTP ${response.status} redirect without a Location header` };
        if (redirects >= options.maxRedirects) return { ok: false, reason: `too many redirects (more than ${options.maxRedirects})` };
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          return { ok: false, reason: `HTTP ${response.status} redirect to an unparsable Location` };
        }
        const refusal = redirectRefusal(url, next) ?? (await resolvesToForbidden(next, options.lookup));
        if (refusal) return { ok: false, reason: refusal };
        url = next;
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        const statusText = serverText(response.statusText);
        return { ok: false, reason: `HTTP ${response.status}${statusText ? ` ${statusText}` : ''}` };
      }
      phase = 'body';
      const body = await readLimited(response, MAX_BODY_BYTES);
      if (body === null) return { ok: false, reason: `body larger than ${MAX_BODY_BYTES} bytes; not a version endpoint` };
      const parsed = parseVersionBody(body, response.headers.get('content-type'), {
        versionPath: options.versionPath,
        commitPath: options.commitPath,
      });
      return parsed.ok ? parsed : { ok: false, reason: parsed.reason };
    }
  } catch (error) {
    return { ok: false, reason: describeFailure(error, signal, options.timeoutMs, phase) };
  }
}

/**
 * A redirect to a name is refused when the name resolves to a link-local or
 * metadata address (collectors/http/redirect.ts), before fetch connects. A
 * name that does not resolve is left to fetch, which reports it as such.
 */
async function resolvesToForbidden(url: URL, lookup: Lookup): Promise<string | undefined> {
  const host = redirectHost(url);
  if (isIP(host) !== 0) return undefined;
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host);
  } catch {
    return undefined;
  }
  const bad = addresses.find((a) => isForbiddenAddress(a.address));
  return bad ? `redirect to ${host}, which resolves to the link-local or metadata address ${bad.address}, refused` : undefined;
}

/** Text a server chose (a status line), made safe for a one-line gap: printable, at most 60 characters. */
function serverText(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '').trim();
  return printable.length > 60 ? `${printable.slice(0, 59)}…` : printable;
}

/** The body as text, or null past `limit` bytes. */
async function readLimited(response: Response, limit: number): Promise<string | null> {
  const body = await readBodyCapped(response.body, limit);
  return body === null ? null : new TextDecoder('utf-8').decode(body);
}

/**
 * One safe line for a failed request. Only error *codes* are used, never
 * library messages, which may carry the URL (and so credentials).
 */
function describeFailure(error: unknown, signal: AbortSignal, timeoutMs: number, phase: 'connect' | 'body'): string {
  if (signal.aborted) return `timeout after ${timeoutMs} ms`;
  const { codes, connection, tls } = networkFailure(error, 5);
  const where = phase === 'body' ? ' while reading the body' : '';
  // Whichever the error names first: a certificate refused, or a connection that failed.
  const tlsFirst = tls !== null && (connection === null || codes.indexOf(tls) < codes.indexOf(connection.code));
  if (tlsFirst) return `TLS certificate not accepted (${tls}); fix the certificate chain, or set insecureTls for an internal CA`;
  if (connection) return `${connection.text}${where} (${connection.code})`;
  if (phase === 'body') return 'connection closed while reading the body';
  return `request failed${codes[0] ? ` (${codes[0]})` : ''}`;
}

/**
 * A fetch for `insecureTls: true`: https requests go through `node:https`
 * with certificate checks off; anything else goes to `fallback`. It supports
 * what `askVersion` uses (GET, plain-object headers, signal, manual redirects).
 */
function insecureTlsFetch(fallback: typeof globalThis.fetch): typeof globalThis.fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol !== 'https:') return fallback(input, init);
    return new Promise<Response>((resolve, reject) => {
      const request = httpsRequest(
        url,
        {
          method: 'GET',
          headers: (init?.headers ?? {}) as Record<string, string>,
          rejectUnauthorized: false,
          ...(init?.signal ? { signal: init.signal } : {}),
        },
        (res) => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
          }
          const status = res.statusCode ?? 502;
          const empty = status === 204 || status === 304;
          if (empty) res.resume();
          resolve(
            new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
              status,
              statusText: res.statusMessage ?? '',
              headers,
            }),
          );
        },
      );
      request.on('error', reject);
      request.end();
    });
  }) as typeof globalThis.fetch;
}
