import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clineSessionId } from '../../../src/ops/capture/kit/cline.js';
import type { ContractFixture } from './fixtures.js';

// A Cline-family store (Cline, Roo Code, Kilo Code keep the same task folders
// under their own extension's storage): tasks/<id>/ with the conversation as
// sent to the model, the panel's messages (times, and per request its tokens
// and cost) and the task's metadata. Each file is rewritten whole as the task
// goes on.

export function clineFixture(agent: string): ContractFixture {
  return {
    agent,
    halfWritten: true,
    unknownType: 'assistant block hologram',
    async make(dir) {
      const from = join(dir, 'tasks');
      const start = Date.parse('2026-06-01T10:00:00.000Z');
      const write = async (id: string, history: unknown[], ui: unknown[], cut = false) => {
        await mkdir(join(from, id), { recursive: true });
        const text = JSON.stringify(history);
        await writeFile(join(from, id, 'api_conversation_history.json'), cut ? text.slice(0, text.length - 20) : text);
        await writeFile(join(from, id, 'ui_messages.json'), JSON.stringify(ui));
        await writeFile(
          join(from, id, 'task_metadata.json'),
          JSON.stringify({
            model_usage: [{ ts: start, model_id: 'claude-sonnet-4-5', model_provider_id: 'anthropic', mode: 'act' }],
            environment_history: [{ ts: start, cline_version: '3.39.2' }],
            files_in_context: [],
          }),
        );
      };
      /** A task's files after `turns` prompts and answers. */
      const task = (id: string, prompts: string[], extra: unknown[] = []) => {
        const t0 = Number(id);
        const history: unknown[] = [];
        const ui: unknown[] = [];
        prompts.forEach((prompt, i) => {
          const text = i === 0 ? `<task>\n${prompt}\n</task>` : prompt;
          history.push({
            role: 'user',
            content: [
              { type: 'text', text },
              { type: 'text', text: '<environment_details>\n# Current Working Directory (/home/dev/shop) Files\n</environment_details>' },
            ],
          });
          ui.push({
            ts: t0 + i * 10_000,
            type: 'say',
            say: i === 0 ? 'task' : 'user_feedback',
            text: prompt,
            conversationHistoryIndex: 2 * i - 1,
          });
          ui.push({
            ts: t0 + i * 10_000 + 1000,
            type: 'say',
            say: 'api_req_started',
            text: JSON.stringify({ tokensIn: 12, tokensOut: 4, cacheWrites: 2, cacheReads: 6, cost: 0.0021 }),
            conversationHistoryIndex: 2 * i,
          });
          history.push({ role: 'assistant', content: [{ type: 'text', text: `Re: ${prompt}` }, ...(i === 0 ? extra : [])] });
          ui.push({ ts: t0 + i * 10_000 + 2000, type: 'say', say: 'text', text: `Re: ${prompt}`, conversationHistoryIndex: 2 * i });
        });
        return { history, ui };
      };
      const first = '1780308000000';
      const second = '1780311600000';
      const a = task(first, ['Add a cart'], [{ type: 'hologram', shimmer: true }]);
      await write(first, a.history, a.ui);
      const prompts = ['Why is checkout slow?'];
      const b = task(second, prompts);
      await write(second, b.history, b.ui);
      const third = '1780315200000';
      const c = task(third, ['Explain the router']);
      await write(third, c.history, c.ui);
      let cutPrompts: string[] = [];
      return {
        from,
        sessions: 3,
        children: 0,
        grownId: clineSessionId(agent, second),
        async grow(text) {
          prompts.push(text);
          const g = task(second, prompts);
          await write(second, g.history, g.ui);
        },
        async cut() {
          cutPrompts = [...prompts, 'half written'];
          const g = task(second, cutPrompts);
          await write(second, g.history, g.ui, true);
        },
        async finish() {
          prompts.splice(0, prompts.length, ...cutPrompts);
          const g = task(second, prompts);
          await write(second, g.history, g.ui);
        },
        remove: () => rm(join(from, second), { recursive: true }),
      };
    },
  };
}
