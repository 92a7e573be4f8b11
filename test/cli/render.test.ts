import { describe, expect, it } from 'vitest';
import { colors } from '../../src/cli/output.js';
import { renderSession } from '../../src/cli/render.js';
import { tempArchive, userMessage } from '../helpers.js';

describe('sarc show rendering', () => {
  it('prints a text part of 200k lines whole, each line indented', async () => {
    const { archive } = await tempArchive();
    const s = await archive.sessions.create({ title: 'long log' });
    const text = Array.from({ length: 200_000 }, (_, i) => `line ${i}`).join('\n');
    await archive.messages.append(s.id, userMessage(text));
    const out = renderSession(await archive.sessions.get(s.id), [], await archive.messages.list(s.id), colors());
    const lines = out.split('\n');
    expect(lines).toContain('  line 0');
    expect(lines).toContain('  line 199999');
    expect(lines.filter((l) => l.startsWith('  line ')).length).toBe(200_000);
  });
});
