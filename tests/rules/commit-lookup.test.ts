/**
 * `CommitLookup` (src/model/build.ts) finds what a scan with `sameCommit`
 * finds — the equal commit, else the first added that it calls the same —
 * without the scan (history.ts asks it for every build a page places).
 */
import { describe, expect, it } from 'vitest';
import { CommitLookup, sameCommit } from '../../src/model/build.ts';

/** What history.ts's `nodeOf` did before: equal first, else the first `sameCommit` in insertion order. */
function scan(commits: string[], asked: string): string | undefined {
  const key = asked.trim().toLowerCase();
  const norm = commits.map((c) => c.trim().toLowerCase());
  if (norm.includes(key)) return key;
  return norm.find((c) => sameCommit(c, key));
}

describe('CommitLookup', () => {
  it('finds abbreviations and extensions of at least 7 characters, equal commits first, case and space aside', () => {
    const lookup = new CommitLookup<string>();
    for (const c of ['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b', 'abc', 'ABCDEF0123', ' 9f86d08 ']) lookup.add(c, c);
    expect(lookup.find('9f86d08')).toBe(' 9f86d08 ');
    expect(lookup.find('9F86D081884C')).toBe('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b');
    expect(lookup.find('9f86d0')).toBeUndefined();
    expect(lookup.find('abc')).toBe('abc');
    expect(lookup.find('abcd')).toBeUndefined();
    expect(lookup.find('abcdef0')).toBe('ABCDEF0123');
    expect(lookup.find('abcdef01234567')).toBe('ABCDEF0123');
    expect(lookup.find('abcdef0124')).toBeUndefined();
    expect(lookup.find('')).toBeUndefined();
  });

  it('agrees with a scan in insertion order on generated commits that share prefixes', () => {
    let seed = 23;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(random() * 3)]).join('');
    let checked = 0;
    let ambiguous = 0;
    for (let round = 0; round < 200; round++) {
      // Short alphabets and commits grown from earlier ones: many share a prefix of 7 and more.
      const commits: string[] = [];
      for (let n = 1 + Math.floor(random() * 12); n > 0; n--) {
        const from = commits.length > 0 && random() < 0.6 ? commits[Math.floor(random() * commits.length)]!.trim().toLowerCase() : '';
        const c = from.slice(0, Math.floor(random() * (from.length + 1))) + hex(4 + Math.floor(random() * 8));
        commits.push(random() < 0.2 ? c.toUpperCase() : random() < 0.1 ? ` ${c} ` : c);
      }
      const lookup = new CommitLookup<string>();
      for (const c of commits) lookup.add(c, c.trim().toLowerCase());
      for (let q = 0; q < 20; q++) {
        const asked = random() < 0.5 ? commits[Math.floor(random() * commits.length)]!.trim().slice(0, 4 + Math.floor(random() * 10)) : hex(4 + Math.floor(random() * 10));
        const expected = scan(commits, asked);
        expect(lookup.find(asked), `${asked} among ${commits.join(',')}`).toBe(expected);
        checked++;
        if (expected !== undefined && commits.filter((c) => sameCommit(c, asked)).length > 1) ambiguous++;
      }
    }
    expect(checked).toBe(4000);
    // The generated sets hold ambiguous abbreviations, where insertion order decides.
    expect(ambiguous).toBeGreaterThan(50);
  });
});
