import { z } from 'zod';

/** One todo item, OpenCode's shape (`id` where the writer gave one). */
export const todo = z.looseObject({
  id: z.string().optional(),
  content: z.string(),
  status: z.string(),
  priority: z.string(),
});

/** `todos.json`: the whole list. */
export const todoList = z.array(todo);

export type Todo = z.infer<typeof todo>;
