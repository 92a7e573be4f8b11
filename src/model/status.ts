import * as z from 'zod';

/** What a caller sets as a session's runtime status: OpenCode's SessionStatus plus `error`. */
export const statusInput = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('idle') }),
  z.looseObject({ type: z.literal('busy'), message: z.string().optional() }),
  z.looseObject({
    type: z.literal('retry'),
    attempt: z.number().int().nonnegative(),
    message: z.string(),
    next: z.number().int().nonnegative(),
  }),
  z.looseObject({ type: z.literal('error'), message: z.string() }),
]);

export type StatusInput = z.infer<typeof statusInput>;
