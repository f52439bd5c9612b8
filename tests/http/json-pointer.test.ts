import { describe, expect, it } from 'vitest';
import { readPath } from '../../collectors/http/json-pointer.ts';

describe('readPath: JSON Pointer (RFC 6901) and dotted paths', () => {
  // The document and answers of RFC 6901, section 5.
  const doc = { foo: ['bar', 'baz'], '': 0, 'a/b': 1, 'c%d': 2, 'e^f': 3, 'g|h': 4, 'i\\j': 5, 'k"l': 6, ' ': 7, 'm~n': 8 };

  it('answers every example of RFC 6901 section 5', () => {
    expect(readPath(doc, '')).toBe(doc);
    expect(readPath(doc, '/foo')).toEqual(['bar', 'baz']);
    expect(readPath(doc, '/foo/0')).toBe('bar');
    expect(readPath(doc, '/')).toBe(0);
    expect(readPath(doc, '/a~1b')).toBe(1);
    expect(readPath(doc, '/c%d')).toBe(2);
    expect(readPath(doc, '/e^f')).toBe(3);
    expect(readPath(doc, '/g|h')).toBe(4);
    expect(readPath(doc, '/i\\j')).toBe(5);
    expect(readPath(doc, '/k"l')).toBe(6);
    expect(readPath(doc, '/ ')).toBe(7);
    expect(readPath(doc, '/m~0n')).toBe(8);
  });

  it('unescapes ~1 before ~0, indexes lists only by canonical decimals, and never reads inherited keys', () => {
    expect(readPath({ '~1': 'tilde-one', '/': 'slash' }, '/~01')).toBe('tilde-one');
    expect(readPath({ list: ['a', 'b'] }, '/list/01')).toBeUndefined();
    expect(readPath({ list: ['a', 'b'] }, '/list/-')).toBeUndefined();
    expect(readPath({ list: ['a', 'b'] }, '/list/1')).toBe('b');
    expect(readPath({}, '/constructor')).toBeUndefined();
    expect(readPath({ a: 'text' }, '/a/length')).toBeUndefined();
  });

  it('a path not starting with "/" is the old dotted form: literal dotted keys are out of its reach', () => {
    const body = { 'git.commit.id': 'literal', git: { commit: { id: 'nested' } }, items: [{ version: '1.0' }] };
    expect(readPath(body, 'git.commit.id')).toBe('nested');
    expect(readPath(body, '/git.commit.id')).toBe('literal');
    expect(readPath(body, 'items.0.version')).toBe('1.0');
  });
});
