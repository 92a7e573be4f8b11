/**
 * The whole library, loaded when a command first needs it. What every
 * command needs at once (errors, time formatting, finding the archive,
 * asking a running watcher) comes from src/basics.ts, which loads no schema
 * library, store or SQLite: `sarc --help` and answers from a watcher never
 * pay for them.
 */
export const lib = (): Promise<typeof import('../index.js')> => import('../index.js');

/** The reading part of the library (src/reading.ts): what opening an archive and its index needs, loaded without the rest. */
export const reading = (): Promise<typeof import('../reading.js')> => import('../reading.js');
