import { unlink } from 'node:fs/promises';
import { errnoCode } from '../errors.js';
import { assertId } from '../model/ids.js';
import { modelSchemas } from '../model/lazy.js';
import type { Todo } from '../model/todo.js';
import { fsyncFolder } from './atomic-write.js';
import { loadInfo, type StoreContext, withSession, writeData } from './context.js';
import { readDataFile } from './json-file.js';
import { validate } from './validate.js';

/** A session's todo list (`todos.json`; absent means no todos). */
export class TodoStore {
  constructor(private readonly ctx: StoreContext) {}

  /** The session's todos (empty when it has none); `NOT_FOUND` for an unknown session. */
  async get(sessionID: string): Promise<Todo[]> {
    await loadInfo(this.ctx, sessionID);
    return (await readDataFile((await modelSchemas()).todoList, this.ctx.paths.todos(sessionID)))?.value ?? [];
  }

  /** Replaces the whole list. An empty list removes `todos.json`. */
  async set(sessionID: string, todos: readonly Todo[]): Promise<Todo[]> {
    assertId('session', sessionID);
    const { todoList } = await modelSchemas();
    const next = validate(todoList, todos, 'invalid todos', 'INVALID_INPUT');
    const path = this.ctx.paths.todos(sessionID);
    return withSession(this.ctx, sessionID, async () => {
      await loadInfo(this.ctx, sessionID);
      const loaded = await readDataFile(todoList, path);
      if (next.length > 0) {
        await writeData(path, next, loaded);
      } else if (loaded) {
        await unlink(path).catch((error: unknown) => {
          if (errnoCode(error) !== 'ENOENT') throw error;
        });
        await fsyncFolder(this.ctx.paths.session(sessionID));
      }
      return next;
    });
  }
}
