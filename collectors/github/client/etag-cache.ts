/**
 * Conditional requests and immutable facts, kept in one file beside the
 * ledger between nights. A GET is sent with the `If-None-Match` of its last
 * answer; a 304 (which GitHub does not count against the rate limit, and
 * which Octokit throws) becomes the cached data. Facts (run reviews, commit
 * comparisons, pull requests of a commit) never change, so they are asked once.
 * https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate
 *
 * Only what this run used is written back, atomically, so the file never
 * grows without bound.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Octokit } from '@octokit/rest';
import { isObject } from '../shape.ts';

const CACHE_VERSION = 1;

interface CacheFile {
  version: number;
  /** GET url -> validator and the data it stood for. */
  etags: Record<string, { etag: string; data: unknown; link?: string }>;
  facts: Record<string, unknown>;
}

type RequestFn = (options: never) => Promise<{ status: number; url: string; headers: Record<string, string | undefined>; data: unknown }>;

export interface ResponseCacheOptions {
  /**
   * What of an answer may be stored: a copy of `data`, or undefined to store
   * nothing (a list holding a secret is asked again in full each night).
   */
  keep: (url: string, data: unknown) => unknown;
  /** Checks an answer before it is used or stored; throws when it is not what GitHub documents. */
  check: (url: string, data: unknown) => void;
}

export class ResponseCache {
  private cache: CacheFile = { version: CACHE_VERSION, etags: {}, facts: {} };
  private readonly used: CacheFile = { version: CACHE_VERSION, etags: {}, facts: {} };
  private readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  /** Reads the last night's file; a missing or unreadable one starts empty (the cache only saves requests). */
  async load(): Promise<void> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as CacheFile;
      // Keys are full URLs, so a cache for another host cannot serve wrong data; the version guards the shape.
      if (parsed?.version === CACHE_VERSION && isObject(parsed.etags) && isObject(parsed.facts)) this.cache = parsed;
    } catch {
      // First night, or unreadable.
    }
  }

  /** A fact kept from an earlier night, or undefined. */
  fact<T>(key: string): T | undefined {
    return this.cache.facts[key] as T | undefined;
  }

  /** Keeps a fact for the next night. */
  keepFact(key: string, value: unknown): void {
    this.used.facts[key] = value;
  }

  /** Installs the conditional-request layer on a client. */
  install(octokit: Pick<Octokit, 'hook' | 'request'>, options: ResponseCacheOptions): void {
    octokit.hook.wrap('request', (request, requestOptions) => this.conditional(octokit, request as never, requestOptions as never, options) as never);
  }

  /** Writes what this run used (after `transform`, which scrubs and caps), atomically; a failure is reported, never thrown. */
  async save(transform: <T>(value: T) => T, report: (message: string) => void): Promise<void> {
    try {
      await mkdir(dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      await writeFile(temp, JSON.stringify(transform(sortKeys(this.used))));
      await rename(temp, this.file);
    } catch (error) {
      report((error as Error).message.split('\n')[0] ?? 'unknown error');
    }
  }

  private async conditional(
    octokit: Pick<Octokit, 'request'>,
    request: RequestFn,
    options: { method: string; headers: Record<string, string>; [key: string]: unknown },
    { keep, check }: ResponseCacheOptions,
  ) {
    if (options.method !== 'GET') return request(options as never);
    const { url } = octokit.request.endpoint.parse(options as never);
    const cached = this.cache.etags[url];
    if (cached) options.headers['if-none-match'] = cached.etag;
    try {
      const response = await request(options as never);
      check(url, response.data);
      const etag = response.headers.etag;
      // A copy: octokit.paginate rewrites `data` of list responses in place.
      const data = etag ? keep(url, response.data) : undefined;
      if (etag && data !== undefined) this.used.etags[url] = { etag, data, ...(response.headers.link ? { link: response.headers.link } : {}) };
      return response;
    } catch (error) {
      if (cached && (error as { status?: number }).status === 304) {
        this.used.etags[url] = cached;
        const headers = { ...((error as { response?: { headers?: Record<string, string> } }).response?.headers ?? {}) };
        if (cached.link) headers.link = cached.link;
        else delete headers.link;
        return { status: 200, url, headers, data: structuredClone(cached.data) };
      }
      throw error;
    }
  }
}

function sortKeys(cache: CacheFile): CacheFile {
  const sorted = <T>(record: Record<string, T>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
  return { version: cache.version, etags: sorted(cache.etags), facts: sorted(cache.facts) };
}
