import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { fileId, MAX_ID_LENGTH, relationshipId, sanitizeIdPart, symbolId } from '../ts/indexer/ids.js';

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');
const UNSAFE = /[/\\\s\u0000-\u001f\u007f]/;

describe('ids', () => {
  it('fileId format', () => {
    expect(fileId('src/utils/strings.ts')).toBe(`file:${sha1('src/utils/strings.ts').slice(0, 12)}:strings.ts`);
  });

  it('symbolId format', () => {
    expect(symbolId('lib/typescript.d.ts', 'ts.Scanner.scan')).toBe(
      `sym:${sha1('lib/typescript.d.ts#ts.Scanner.scan').slice(0, 12)}:ts.Scanner.scan`,
    );
  });

  it('relationshipId format', () => {
    expect(relationshipId('a', 'calls', 'b')).toBe(`rel:${sha1('a|calls|b').slice(0, 16)}`);
    expect(relationshipId('a', 'calls', 'b')).not.toBe(relationshipId('b', 'calls', 'a'));
  });

  it('sanitizeIdPart replaces unsafe characters', () => {
    expect(sanitizeIdPart('a/b\\c d\te\u0000f')).toBe('a_b_c_d_e_f');
    expect(sanitizeIdPart('Az09_.$#:@<>-')).toBe('Az09_.$#:@<>-');
    expect(sanitizeIdPart('naïve[Symbol.iterator]')).toBe('na_ve_Symbol.iterator_');
  });

  it('ids stay safe for hostile names', () => {
    const names = ['has space', 'sl/ash', 'back\\slash', 'ctrl\u0001\u007f', '日本語', 'x'.repeat(1000), '\n'];
    for (const name of names) {
      for (const id of [fileId('dir with space/' + name), symbolId('a b/c.ts', name)]) {
        expect(id, JSON.stringify(name)).not.toMatch(UNSAFE);
        expect(id.length, JSON.stringify(name)).toBeLessThanOrEqual(MAX_ID_LENGTH);
        expect(Buffer.byteLength(id), JSON.stringify(name)).toBe(id.length);
      }
    }
  });

  it('truncated names keep distinct ids', () => {
    const prefix = 'q'.repeat(300);
    expect(symbolId('a.ts', prefix + 'A')).not.toBe(symbolId('a.ts', prefix + 'B'));
    expect(symbolId('a.ts', 'a/b')).not.toBe(symbolId('a.ts', 'a_b'));
  });

  it('symbol ids depend on the file', () => {
    expect(symbolId('a.ts', 'f')).not.toBe(symbolId('b.ts', 'f'));
  });
});
