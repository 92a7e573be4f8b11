import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { MARKER, Redactor } from '../../src/index.js';
import { mayHoldToken } from '../../src/ops/redact/detect.js';
import { DECOYS, plantedSecrets } from '../fixtures/secrets.js';

// The detection itself, on each planted kind and each decoy.

const redactor = new Redactor({ key: '5a'.repeat(32) });

describe('redaction rules', () => {
  it.each(plantedSecrets(7).map((p) => [p.kind, p] as const))('replaces a %s with a marker naming its kind', async (kind, p) => {
    const { values, found } = await redactor.redact([p.line]);
    expect(values[0]).not.toContain(p.kind === 'private-key' ? p.secret.split('\n')[1] : p.secret);
    expect(found.map((f) => f.kind)).toContain(kind);
    expect(values[0]).toContain(redactor.marker(kind, p.secret));
  });

  it('skips the rule engine only where no token can be: an all-capital key, a short URL password and a key in prose are still found', async () => {
    const lines = [
      'export AWS_ACCESS_KEY_ID=AKIAQWERTYUIOPASDFGH',
      'psql postgres://app:correct-horse@db.internal/shop',
      'the key is ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ and more words follow here',
    ];
    const { found } = await redactor.redact(lines);
    expect(found.map((f) => f.kind).sort()).toEqual(['aws-access-key-id', 'connection-string', 'github-token']);
    expect(mayHoldToken('A sentence of ordinary words, then `make test` and a-short-path/x.ts.')).toBe(false);
    expect(mayHoldToken('AKIAQWERTYUIOPASDFGH')).toBe(true);
  });

  it('leaves nothing behind per scan: no performance marks piling up over a long sync or a watcher', async () => {
    for (let i = 0; i < 20; i++) await redactor.redact([`token ghp_abcdefghijklmnopqrstuvwxyzABCDEFGH${i}${i}`]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(performance.getEntriesByType('mark')).toEqual([]);
  });

  it('leaves every decoy as it is: hashes, IDs, integrity strings, images, code, placeholders, prose', async () => {
    for (const d of DECOYS) expect((await redactor.redact([d])).found, d).toEqual([]);
  });

  it('gives the same secret the same marker, another key another marker, and never re-redacts a marker', async () => {
    const [p] = plantedSecrets(8);
    const once = (await redactor.redact([p?.line])).values[0] as string;
    expect((await redactor.redact([p?.line])).values[0]).toBe(once);
    expect((await new Redactor({ key: '6b'.repeat(32) }).redact([p?.line])).values[0]).not.toBe(once);
    expect(once.match(MARKER)).toHaveLength(1);
    expect((await redactor.redact([once])).found).toEqual([]);
  });

  it('finds secrets in nested values and text documents, and leaves binary data URLs unread', async () => {
    const [p] = plantedSecrets(9);
    const doc = `data:text/plain;base64,${Buffer.from(`API\n${p?.line}\n`).toString('base64')}`;
    const image = `data:image/png;base64,${Buffer.from(`${p?.line}`).toString('base64')}`;
    const { values, found } = await redactor.redact([{ a: [{ b: p?.line }], doc, image }]);
    expect(found.map((f) => f.path).sort()).toEqual(['a[0].b', 'doc']);
    const out = values[0] as { doc: string; image: string };
    expect(Buffer.from(out.doc.split(',')[1] as string, 'base64').toString()).toContain('[REDACTED:');
    expect(out.image).toBe(image);
  });
});
