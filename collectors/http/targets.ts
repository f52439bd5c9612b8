/**
 * Which endpoints an `http` source asks, and with which headers. Pure: the
 * collector does the requests.
 */
import type { Gap, ServiceConfig } from '../../src/model/index.ts';

/** One version endpoint to ask. */
export interface HttpTarget {
  service: string;
  /** The ledger's environment name. */
  environment: string;
  /** The URL to request (may carry credentials; never stored). */
  url: string;
  /** The URL as stored and printed: no userinfo, query string or fragment. */
  safeUrl: string;
}

/**
 * The URL without userinfo, query string or fragment, which is where
 * credentials end up in version URLs (`https://user:pw@host/v?token=…`).
 * Unparsable input is replaced entirely, since it cannot be cleaned.
 */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

export interface PlanInput {
  /** The source's name in the config. */
  source: string;
  /** The services that list this source. */
  services: readonly Pick<ServiceConfig, 'name' | 'versionUrl'>[];
  /** Ledger environment names, promotion order. */
  environments: readonly string[];
  /** Ledger environment name -> this source's name for it. */
  environmentMap: Readonly<Record<string, string>>;
}

/**
 * Every (service, environment) with a `versionUrl` (`versionUrl[env]`, else
 * `versionUrl['*']`), with `{environment}` replaced by the source's name for
 * the environment and `{service}` by the service name. Services that list the
 * source but have no URL at all, and URLs that are not http(s), become gaps.
 */
export function planHttpTargets(input: PlanInput): { targets: HttpTarget[]; gaps: Gap[] } {
  const targets: HttpTarget[] = [];
  const gaps: Gap[] = [];
  for (const service of input.services) {
    if (Object.keys(service.versionUrl).length === 0) {
      gaps.push({
        source: input.source,
        service: service.name,
        evidence: 'observed',
        reason: `service lists source "${input.source}" but has no versionUrl; add versionUrl: { "*": "https://…/version" }`,
      });
      continue;
    }
    for (const environment of input.environments) {
      const template = service.versionUrl[environment] ?? service.versionUrl['*'];
      if (template === undefined) continue;
      const sourceEnvironment = input.environmentMap[environment] ?? environment;
      const url = template
        .replaceAll('{environment}', encodeURIComponent(sourceEnvironment))
        .replaceAll('{service}', encodeURIComponent(service.name));
      let protocol: string | null = null;
      try {
        protocol = new URL(url).protocol;
      } catch {
        protocol = null;
      }
      if (protocol !== 'http:' && protocol !== 'https:') {
        gaps.push({
          source: input.source,
          service: service.name,
          environment,
          evidence: 'observed',
          reason: `versionUrl ${protocol === null ? 'is not a valid URL' : `uses ${protocol} (only http: and https: are asked)`}: ${safeUrl(url)}`,
        });
        continue;
      }
      targets.push({ service: service.name, environment, url, safeUrl: safeUrl(url) });
    }
  }
  return { targets, gaps };
}

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Request headers from environment variables (`headersEnv`: header -> variable).
 * Values are returned for the request only; problems name the header and the
 * variable, never the value.
 */
export function resolveHeaders(
  headersEnv: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string | undefined>>,
): { headers: Record<string, string>; problems: string[] } {
  const headers: Record<string, string> = {};
  const problems: string[] = [];
  for (const [header, variable] of Object.entries(headersEnv).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const value = env[variable];
    if (!HEADER_NAME.test(header)) problems.push(`headersEnv has an invalid header name "${header}"`);
    else if (value === undefined || value === '') problems.push(`header ${header} needs environment variable ${variable}, which is not set`);
    else if (/[\r\n\0]/.test(value)) problems.push(`environment variable ${variable} (header ${header}) contains a line break`);
    else headers[header] = value.trim();
  }
  return { headers, problems };
}
