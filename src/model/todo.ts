import * as z from 'zod';

/** One todo item, OpenCode's shape (`id` where the writer gave one). */
export const todo = z.looseObject({
  id: z.string().optional().describe('An ID for the item, where its writer gave one'),
  content: z.string().describe('What is to be done'),
  status: z.string().describe('"pending", "in_progress", "completed" or "cancelled"'),
  priority: z.string().describe('"high", "medium" or "low"'),
});

/** `todos.json`: the whole list. */
export const todoList = z.array(todo);

export type Todo = z.infer<typeof todo>;
