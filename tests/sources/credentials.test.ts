/**
 * The one scrubber (collectors/shared/credentials.ts) and the plain checks of the
 * GitHub source that keep a lying answer out of the ledger: every encoding
 * of a credential is found and removed, the final check names the field and
 * never the credential, times are checked for plausibility, a bad review
 * costs only itself, fields are capped, ticket extraction is bounded, and
 * the shared request budget stops at its limit and its deadline.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { capFor, capStrings, capText } from '../../collectors/shared/caps.ts';
import { Credentials, credentialsOf, findCredential, refuseCredentials } from '../../collectors/shared/credentials.ts';
import { BudgetExhausted, DeadlineReached, scrub } from '../../collectors/github/errors.ts';
import { RequestBudget, sharedBudget } from '../../collectors/github/budget.ts';
import { checkPulls, checkTime, eventBounds, isoUtc, repositoryBounds } from '../../collectors/github/map.ts';
import { ticketsIn } from '../../src/model/tickets.ts';

const TOKEN = 'ghp_R4nd0mT0kenValue0123456789abcdefXYZ';

const forms = (token: string): Record<string, string> => ({
  plain: `x ${token} y`,
  basic: `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`,
  base64Shift1: Buffer.from(`a${token}`).toString('base64'),
  base64Shift2: Buffer.from(`ab${token}zz`).toString('base64'),
  base64url: Buffer.from(`??${token}`).toString('base64url'),
  spaced: [...token].join(' '),
  wrapped: `${token.slice(0, 10)}\n  ${token.slice(10, 25)}\t${token.slice(25)}`,
  hex: Buffer.from(`:${token}`).toString('hex'),
  hexUpper: Buffer.from(token).toString('hex').toUpperCase(),
  urlencoded: encodeURIComponent(`token ${token}`),
});

describe('Credentials: one scrubber for every form of every credential', () => {
  const credentials = new Credentials([TOKEN]);
  for (const [name, text] of Object.entries(forms(TOKEN))) {
    it(`finds and removes the ${name} form`, () => {
      expect(credentials.holds(text)).toBe(true);
      const clean = credentials.scrub(text);
      expect(clean).toContain('[redacted]');
      expect(credentials.holds(clean)).toBe(false);
    });
  }

  it('leaves text without a credential alone, and ignores strings too short to be one', () => {
    const text = 'deployed by alice at 2026-03-01T10:00:00Z (PAY-123)';
    expect(credentials.scrub(text)).toBe(text);
    const short = new Credentials(['abc', 'x']);
    expect(short.size).toBe(0);
    expect(short.scrub('abc abc')).toBe('abc abc');
  });

  it('a PEM private key: the whole key, re-wrapped, and any one of its lines', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const key = new Credentials([privateKey.replace(/\n/g, '\\n')]); // as an environment variable holds it
    expect(key.holds(privateKey)).toBe(true);
    expect(key.holds(privateKey.replace(/\n/g, ' '))).toBe(true);
    const line = privateKey.split('\n')[3]!;
    expect(key.scrub(`error near ${line} here`)).toBe('error near [redacted] here');
    // The armor alone is no credential: another key's BEGIN line stays, for the secret policy to recognise.
    expect(key.scrub('-----BEGIN RSA PRIVATE KEY-----')).toBe('-----BEGIN RSA PRIVATE KEY-----');
  });

  it('learns a credential during the run (an installation token)', () => {
    const live = new Credentials([TOKEN]);
    const installation = 'ghs_InstallationToken0123456789abcdefghij';
    expect(live.holds(installation)).toBe(false);
    live.add(installation);
    expect(live.scrub(Buffer.from(installation).toString('base64'))).not.toContain(Buffer.from(installation).toString('base64').slice(0, 40));
  });

  it('scrubDeep cleans every string of a JSON value, keys included', () => {
    const value = { deployedBy: TOKEN, list: [`t ${forms(TOKEN).basic}`], [TOKEN]: 1, n: 3 };
    const clean = credentials.scrubDeep(value);
    expect(findCredential(clean, credentials)).toBeNull();
    expect(clean.n).toBe(3);
    expect(findCredential(value, credentials)).toBe('deployedBy');
  });

  it('credentialsOf knows every GitHub token, App key and http header value a config reads', () => {
    const creds = credentialsOf(
      { sources: { gh: { type: 'github', tokenEnv: 'GH' }, app: { type: 'github', tokenEnv: 'NONE', app: { privateKeyEnv: 'KEY' } }, web: { type: 'http', headersEnv: { authorization: 'WEB' } } } },
      { GH: TOKEN, KEY: 'k'.repeat(20) + 'PRIVATE', WEB: 'Bearer s3cr3t-header-value' },
    );
    expect(creds.holds(`x${TOKEN}`)).toBe(true);
    expect(creds.holds(`${'k'.repeat(20)}PRIVATE`)).toBe(true);
    expect(creds.holds('Bearer s3cr3t-header-value')).toBe(true);
  });

  it('the final check refuses a value that holds a credential: one line naming the file and the field, never the credential', () => {
    const snapshot = { deployments: [{ deployedBy: 'alice' }, { deployedBy: forms(TOKEN).basic }] };
    let message = '';
    try {
      refuseCredentials('content/snapshots/2026-03-14T020000Z.json', snapshot, credentials);
    } catch (error) {
      message = (error as Error).message;
      expect((error as { exitCode?: number }).exitCode).toBe(2);
    }
    expect(message).toBe('refusing to write content/snapshots/2026-03-14T020000Z.json: deployments[1].deployedBy holds a credential this run was given (in some encoding); nothing was written');
    expect(credentials.holds(message)).toBe(false);
    expect(() => refuseCredentials('x.json', { deployments: [{ deployedBy: 'alice' }] }, credentials)).not.toThrow();
  });

  it('scrub (gap reasons) uses the same forms, plus anything token-shaped', () => {
    expect(scrub(`HTTP 401 ${forms(TOKEN).basic}`, [TOKEN])).not.toContain(Buffer.from(`x-access-token:${TOKEN}`).toString('base64'));
    expect(scrub('see ghs_abcdefghijklmnopqrstuvwxyz012345', [])).toBe('see [redacted]');
  });
});

describe('GitHub times, records and fields from a lying server', () => {
  const now = new Date('2026-03-14T02:00:00Z');
  const bounds = eventBounds(now, now.getTime());

  it('a time is evidence only when it parses and is plausible; a bad one is never quoted unless it is made of time characters', () => {
    expect(checkTime('2026-03-01T10:00:00+01:00', bounds, 'x')).toEqual({ ok: true, iso: '2026-03-01T09:00:00Z' });
    expect(checkTime('1960-01-01T00:00:00Z', bounds, 'status createdAt')).toMatchObject({ ok: false, reason: expect.stringContaining('implausible (before 2008-01-01T00:00:00Z)') });
    expect(checkTime('2026-03-14T02:09:00Z', bounds, 'x').ok).toBe(true); // clock skew
    expect(checkTime('2026-03-14T03:00:00Z', bounds, 'x')).toMatchObject({ ok: false, reason: expect.stringContaining('in the future') });
    const bad = checkTime(TOKEN, bounds, 'status createdAt');
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).not.toContain(TOKEN.slice(0, 8));
    expect(() => isoUtc(TOKEN)).toThrow(`not a time: a ${TOKEN.length}-character string`);
    expect(() => isoUtc('2026-13-45')).toThrow('not a time: "2026-13-45"');
  });

  it("a repository's creation narrows the window; a creation time that is itself implausible is ignored", () => {
    const repo = repositoryBounds(bounds, '2026-02-01T00:00:00Z');
    expect(checkTime('2025-06-01T00:00:00Z', bounds, 'x').ok).toBe(true);
    expect(checkTime('2025-06-01T00:00:00Z', repo, 'status createdAt')).toMatchObject({ ok: false, reason: expect.stringContaining('before 2026-01-31T23:50:00Z') });
    expect(repositoryBounds(bounds, '2099-01-01T00:00:00Z')).toEqual(bounds);
    expect(repositoryBounds(bounds, null)).toEqual(bounds);
  });

  it('a review with a bad submittedAt is dropped and reported; the other reviews and the pull request stay', () => {
    const pr = (reviews: unknown[], mergedAt: unknown = '2026-03-01T10:00:00Z') => ({ number: 7, title: 'PAY-7', url: 'u', headRefName: 'b', merged: true, mergedAt, author: { login: 'a' }, mergedBy: null, reviews: { nodes: reviews } });
    const good = { state: 'APPROVED', submittedAt: '2026-03-01T09:00:00Z', url: 'r', author: { login: 'carol' } };
    const { pulls, problem } = checkPulls([pr([good, { ...good, submittedAt: '1960-01-01T00:00:00Z', author: { login: 'mallory' } }])], bounds, (t) => t);
    expect(pulls[0]!.reviews!.nodes!.map((r) => r!.author!.login)).toEqual(['carol']);
    expect(problem).toContain('pull request #7 review submittedAt 1960-01-01T00:00:00Z is implausible');
    const merged = checkPulls([pr([good], 'soon'), null], bounds, (t) => t);
    expect(merged.pulls).toEqual([]);
    expect(merged.problem).toBe('pull request #7 mergedAt is not a time (a 4-character string); an entry that is not a pull request');
  });

  it('caps: a string over its cap is cut visibly; logins at 39, titles at 256', () => {
    expect(capText('x'.repeat(50), capFor('deployedBy'))).toBe(`${'x'.repeat(39)}…[truncated 11 chars]`);
    expect(capText('t'.repeat(300), capFor('title'))).toHaveLength(256 + '…[truncated 44 chars]'.length);
    expect(capText('short', capFor('title'))).toBe('short');
    expect(capFor('somethingElse')).toBe(65_536);
    // A config variable named like a field keeps the data cap: names inside `values` are data, not fields.
    const record = capStrings({ deployedBy: 'd'.repeat(40), values: { url: 'u'.repeat(3000), title: { nested: 'n'.repeat(300) } } });
    expect(record.deployedBy).toBe(`${'d'.repeat(39)}…[truncated 1 chars]`);
    expect(record.values.url).toHaveLength(3000);
    expect(record.values.title.nested).toHaveLength(300);
  });

  it('ticket extraction reads at most a title cap of each text, so a 1 MB title costs what a 256-character one does', () => {
    const huge = { number: 1, title: `PAY-1 ${'A'.repeat(1_000_000)} OPS-9`, author: 'a', mergedBy: null, mergedAt: null, reviewers: [], branch: 'feature/ABC-12', url: 'u' };
    expect(ticketsIn([huge], '[A-Z][A-Z0-9]+-[0-9]+')).toEqual(['ABC-12', 'PAY-1']);
  });
});

describe('RequestBudget: one budget and one deadline per credential and run', () => {
  it('stops at its limit (asked or sent, whichever is higher) and at its deadline', () => {
    let clock = 0;
    const budget = new RequestBudget(2, 10, () => clock);
    budget.ask();
    budget.sent();
    budget.sent(); // a retry
    expect(() => budget.ask()).toThrow(BudgetExhausted);
    const timed = new RequestBudget(100, 10, () => clock);
    timed.ask();
    clock = 10_000;
    expect(() => timed.ask()).toThrow(DeadlineReached);
    expect(() => timed.sent()).toThrow(/deadline of 10 s \(settings.deadlineSeconds\)/);
  });

  it('race gives up on a request that outlives the deadline', async () => {
    const budget = new RequestBudget(10, 0.05);
    await expect(budget.race(new Promise(() => {}))).rejects.toThrow(DeadlineReached);
  });

  it('is shared by every reader of the same credential in the same run, and by no one else', () => {
    const config = {};
    const run = { config, now: new Date('2026-03-14T02:00:00Z') };
    const make = () => new RequestBudget(5, 60);
    expect(sharedBudget(run, TOKEN, make)).toBe(sharedBudget({ ...run }, TOKEN, make));
    expect(sharedBudget(run, `${TOKEN}2`, make)).not.toBe(sharedBudget(run, TOKEN, make));
    expect(sharedBudget({ config: {}, now: run.now }, TOKEN, make)).not.toBe(sharedBudget(run, TOKEN, make));
    expect(sharedBudget({ config, now: new Date('2026-03-15T02:00:00Z') }, TOKEN, make)).not.toBe(sharedBudget(run, TOKEN, make));
  });
});

describe('header values and data maps', () => {
  it('a header value counts bare too, and a basic password by itself', () => {
    const creds = new Credentials(['Bearer hdr-S3cr3tValue-0042', `Basic ${Buffer.from('robot:pa55w0rd-Very-Secret').toString('base64')}`]);
    expect(creds.scrub('echo hdr-S3cr3tValue-0042')).toBe('echo [redacted]');
    expect(creds.scrub('password pa55w0rd-Very-Secret')).toBe('password [redacted]');
  });
});
