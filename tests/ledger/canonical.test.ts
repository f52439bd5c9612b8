import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import canonicalize from 'canonicalize';
import { canonicalForms, referenceForms } from '../../src/ledger/canonical.ts';
import { canonicalJson, serializeSnapshot, sha256Hex, snapshotHash } from '../../src/ledger/index.ts';
import type { Snapshot } from '../../src/model/index.ts';
import { buildConfig, buildSnapshot } from '../helpers/snapshot-builder.ts';

describe('canonicalJson (RFC 8785)', () => {
  it('does not depend on key order, at any depth', () => {
    const one = canonicalJson({ b: 1, a: { d: [1, { z: true, y: null }], c: 'x' } });
    const two = canonicalJson({ a: { c: 'x', d: [1, { y: null, z: true }] }, b: 1 });
    expect(one).toBe(two);
    expect(one).toBe('{"a":{"c":"x","d":[1,{"y":null,"z":true}]},"b":1}');
  });

  it('writes numbers and strings as the RFC 8785 §3.2.2 example does', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('prints -0 as 0, and large and tiny numbers in exponent form', () => {
    expect(canonicalJson([-0, 1e21, 1e20, 1e-7, 0.000001, 9007199254740993])).toBe('[0,1e+21,100000000000000000000,1e-7,0.000001,9007199254740992]');
  });

  it('sorts keys by UTF-16 code units (RFC 8785 §3.2.3), not by locale or code point', () => {
    const keys = ['\u20ac', '\r', '\ufb33', '1', '\ud83d\ude00', '\u0080', '\u00f6'];
    const sorted = Object.keys(JSON.parse(canonicalJson(Object.fromEntries(keys.map((k) => [k, 0])))));
    // Object.keys puts the integer-like "1" first, so compare the text order instead.
    const order = [...canonicalJson(Object.fromEntries(keys.map((k) => [k, 0]))).matchAll(/"([^"]*)":/g)].map((m) => m[1]);
    expect(order).toEqual(['\\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
    expect(sorted).toHaveLength(7);
  });

  it('refuses values JSON cannot hold', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow('NaN is not a JSON number');
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow('Infinity is not a JSON number');
    expect(() => canonicalJson({ '1': Number.NaN })).toThrow('NaN is not allowed'); // the reference path (integer-like key)
    expect(() => canonicalJson(undefined)).toThrow('no JSON form');
  });

  it('sha256Hex hashes strings as UTF-8 and bytes as given', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('€')).toBe(sha256Hex(new Uint8Array([0xe2, 0x82, 0xac])));
  });
});

describe('serializeSnapshot', () => {
  it('writes sorted keys, 2-space indent and a trailing newline', () => {
    expect(serializeSnapshot({ b: [1, { d: {}, c: [] }], a: 'x' } as unknown as Snapshot)).toBe(
      '{\n  "a": "x",\n  "b": [\n    1,\n    {\n      "c": [],\n      "d": {}\n    }\n  ]\n}\n',
    );
    const text = serializeSnapshot(buildSnapshot());
    const keys = [...text.matchAll(/^ {2}"([^"]+)":/gm)].map((m) => m[1]);
    expect(keys).toEqual([...keys].sort());
  });

  it('round-trips: parse then serialize gives the same bytes, and the hash is that of the canonical JSON', () => {
    const snapshot = buildSnapshot();
    const text = serializeSnapshot(snapshot);
    expect(serializeSnapshot(JSON.parse(text) as Snapshot)).toBe(text);
    expect(sha256Hex(canonicalJson(JSON.parse(text)))).toBe(snapshotHash(snapshot));
  });

  it('keeps integer-like keys in canonical order (JS objects would enumerate them numerically)', () => {
    const snapshot = buildSnapshot({ configs: [buildConfig({ service: 'api', environment: 'dev', values: { '9': 'nine', '10': 'ten', b: 'b' } })] });
    const text = serializeSnapshot(snapshot);
    expect(text.indexOf('"10"')).toBeLessThan(text.indexOf('"9"'));
    expect(canonicalJson(JSON.parse(text))).toBe(canonicalJson(snapshot));
  });

  it('takes a fast path that gives exactly what the canonicalize package and the reference printer give', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const reference = referenceForms(value, true);
        expect(canonicalForms(value, true)).toEqual(reference);
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 500 },
    );
    const tricky = { __proto__: 1, b: [undefined, -0, 1e21, 'é\u2028"\\'], a: { toJSON: () => 'x' }, c: undefined, d: new Date(0) };
    const withProto = JSON.parse('{"__proto__": {"z": 1, "a": 2}, "b": [null]}');
    for (const value of [tricky, withProto]) expect(canonicalForms(value, true)).toEqual(referenceForms(value, true));
  });

  it('agrees with canonicalJson for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = serializeSnapshot(value as Snapshot);
        expect(canonicalJson(JSON.parse(text))).toBe(canonicalJson(value));
        expect(serializeSnapshot(JSON.parse(text) as Snapshot)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
