/** The schemas of ./schemas.ts, as a module. */
export type ModelSchemas = typeof import('./schemas.js');

let loading: Promise<ModelSchemas> | undefined;

/**
 * The model's zod schemas, loaded when the store first reads or writes a data
 * file rather than when it is opened: `sarc list` answered from the index's
 * snapshot loads no schema library (an architecture test keeps it so).
 */
export function modelSchemas(): Promise<ModelSchemas> {
  loading ??= import('./schemas.js');
  return loading;
}
