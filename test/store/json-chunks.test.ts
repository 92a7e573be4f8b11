import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/store/atomic-write.js';
import { jsonChunks, piecesEqual } from '../../src/store/json-chunks.js';
import { canonicalPieces, formatCanonical, isCanonicalText } from '../../src/store/json-file.js';
import { tempDir } from '../helpers.js';

// Any string, lone surrogates included: JSON.stringify escapes those, so a
// long string must never be cut between the two halves of a pair.
const anyString = fc.string({ unit: 'binary', maxLength: 40 });
const value = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    anyString,
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie('node'), { maxLength: 5 }),
    fc.dictionary(anyString, tie('node'), { maxKeys: 5 }),
  ),
})).node;

describe('jsonChunks', () => {
  it('joins to exactly what JSON.stringify gives, at any indent and piece size', () => {
    fc.assert(
      fc.property(value, fc.constantFrom(0, 2, 4), fc.integer({ min: 1, max: 64 }), (v, indent, size) => {
        const pieces = [...jsonChunks(v, indent, size)];
        const expected = JSON.stringify(v, null, indent);
        if (expected === undefined) expect(pieces).toEqual([]);
        else expect(pieces.join('')).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it('cuts a long string into pieces of about the piece size, and never a surrogate pair in two', () => {
    const text = `${'😀'.repeat(50)}"\n${'a'.repeat(101)}`;
    const pieces = [...jsonChunks({ text }, 0, 16)];
    expect(pieces.length).toBeGreaterThan(10);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(40);
    expect(pieces.join('')).toBe(JSON.stringify({ text }));
    for (const piece of pieces) expect(piece).not.toMatch(/\\ud[89ab]/i);
  });

  it('gives a small value as one piece (the native call), a large one in pieces of about 64 K, the same text either way', () => {
    const small = { id: 'x', parts: [{ text: 'é'.repeat(10_000) }] };
    expect([...jsonChunks(small, 2)]).toEqual([JSON.stringify(small, null, 2)]);
    const large = { id: 'x', parts: [{ text: 'a'.repeat(2_000_000) }, { text: '€'.repeat(300_000) }] };
    const pieces = [...jsonChunks(large, 2)];
    expect(pieces.length).toBeGreaterThan(30);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(200_000);
    expect(pieces.join('')).toBe(JSON.stringify(large, null, 2));
  });

  it('follows toJSON, boxed primitives, and what JSON leaves out or turns into null', () => {
    const v = { d: new Date(0), n: Number.NaN, b: new Boolean(false), f: () => 1, u: undefined, a: [undefined, () => 1, Symbol('s')] };
    expect([...jsonChunks(v, 2, 3)].join('')).toBe(JSON.stringify(v, null, 2));
    expect([...jsonChunks(undefined)]).toEqual([]);
  });
});

describe('canonical text in pieces', () => {
  it('compares piece by piece against a file text', () => {
    const v = { id: 'x', parts: [{ text: 'é'.repeat(200_000) }] };
    const text = formatCanonical(v);
    expect(isCanonicalText(v, text)).toBe(true);
    expect(isCanonicalText(v, `${text} `)).toBe(false);
    expect(isCanonicalText(v, text.slice(0, -2))).toBe(false);
    expect(isCanonicalText({ ...v, id: 'y' }, text)).toBe(false);
    expect(piecesEqual(['ab', 'c'], 'abc')).toBe(true);
    expect(piecesEqual(['ab', 'd'], 'abc')).toBe(false);
  });

  it('writes a file from pieces byte for byte as from one string', async () => {
    const dir = await tempDir();
    const v = { text: `${'€'.repeat(100_000)}😀${'x'.repeat(70_000)}`, list: Array.from({ length: 5_000 }, (_, i) => ({ i })) };
    await writeFileAtomic(join(dir, 'a.json'), canonicalPieces(v));
    await writeFileAtomic(join(dir, 'b.json'), formatCanonical(v));
    const [a, b] = await Promise.all([readFile(join(dir, 'a.json')), readFile(join(dir, 'b.json'))]);
    expect(a.length).toBeGreaterThan(400_000);
    expect(a.equals(b)).toBe(true);
  });
});
