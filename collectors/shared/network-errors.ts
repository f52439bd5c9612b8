/**
 * A failed request said safely, from error *codes* alone (the codes Node and
 * undici set on an error and its causes), never the library's message, which
 * may carry the URL or headers and so credentials. Shared by the sources that
 * make their own connections (http, kubernetes).
 */
const CONNECTION_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  UND_ERR_SOCKET: 'connection reset',
  EPIPE: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for headers',
};

const TLS_CODES = /^(?:CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)/;

export interface NetworkFailure {
  /** Every string `code` on the error and its causes, outermost first. */
  codes: string[];
  /** An abort or timeout error among them. */
  timedOut: boolean;
  /** The first connection code and what it means, if any. */
  connection: { code: string; text: string } | null;
  /** The first TLS certificate code, if any. */
  tls: string | null;
}

/** Reads the codes of an error and its causes (at most `depth` deep). */
export function networkFailure(error: unknown, depth = 6): NetworkFailure {
  const codes: string[] = [];
  let timedOut = false;
  for (let e: unknown = error, d = 0; e && typeof e === 'object' && d < depth; e = (e as { cause?: unknown }).cause, d++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (typeof code === 'string') codes.push(code);
    if (name === 'TimeoutError' || name === 'AbortError') timedOut = true;
  }
  const connectionCode = codes.find((c) => c in CONNECTION_CODES);
  return {
    codes,
    timedOut,
    connection: connectionCode ? { code: connectionCode, text: CONNECTION_CODES[connectionCode]! } : null,
    tls: codes.find((c) => TLS_CODES.test(c)) ?? null,
  };
}
