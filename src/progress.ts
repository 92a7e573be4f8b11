/**
 * Told how far long work has come: `done` of `total` units (messages for an
 * export, sessions for an import or an index rebuild). Called with `0` of the
 * total once it is known, then as units finish, last with `total` of `total`.
 * Work in several stages (a migrate reads, then moves) names the stage; each
 * stage counts from 0 again.
 */
export type OnProgress = (done: number, total: number, stage?: string) => void;
