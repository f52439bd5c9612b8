/**
 * Generators of hostile YAML for the input-limit tests: alias bombs, many
 * aliases, deep nesting, wrong encodings, reserved keys, and files bigger
 * than a cap written sparse (no disk blocks, no memory).
 */
import { open } from 'node:fs/promises';

/** `billion laughs`: `levels` anchors, each a list of `fanout` aliases of the one before. */
export function aliasBomb(levels: number, fanout: number, key = 'x'): string {
  const lines = [`${key}0: &a0 "lol"`];
  for (let i = 1; i <= levels; i++) lines.push(`${key}${i}: &a${i} [${Array.from({ length: fanout }, () => `*a${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

/** `depth` levels of nesting, flow (`[[[…]]]`) or block (indented mappings). */
export function nested(depth: number, style: 'flow' | 'block'): string {
  if (style === 'flow') return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
  let out = '';
  for (let i = 0; i < depth; i++) out += `\n${'  '.repeat(i + 1)}k${i}:`;
  return `${out} 1`;
}

/** Text in another encoding than UTF-8. */
export function encode(text: string, encoding: 'utf16le' | 'utf16be' | 'utf16le-bom' | 'utf16be-bom' | 'utf32le-bom' | 'utf32be-bom' | 'latin1' | 'utf8-bom'): Buffer {
  const le = Buffer.from(text, 'utf16le');
  const be = Buffer.from(le).swap16();
  switch (encoding) {
    case 'utf16le':
      return le;
    case 'utf16be':
      return be;
    case 'utf16le-bom':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
    case 'utf16be-bom':
      return Buffer.concat([Buffer.from([0xfe, 0xff]), be]);
    case 'utf32le-bom':
    case 'utf32be-bom': {
      const out = Buffer.alloc(4 + text.length * 4);
      if (encoding === 'utf32le-bom') out.writeUInt32LE(0xfeff, 0);
      else out.writeUInt32BE(0xfeff, 0);
      [...text].forEach((c, i) => (encoding === 'utf32le-bom' ? out.writeUInt32LE(c.codePointAt(0)!, 4 + i * 4) : out.writeUInt32BE(c.codePointAt(0)!, 4 + i * 4)));
      return out;
    }
    case 'latin1':
      return Buffer.from(text, 'latin1');
    case 'utf8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
  }
}

/** Writes `head` and extends the file to `size` bytes without writing them (a sparse file: the rest reads as zeros). */
export async function writeSparse(file: string, head: string, size: number): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.write(head);
    await handle.truncate(size);
  } finally {
    await handle.close();
  }
}
