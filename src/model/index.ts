// The model layer's own barrel: schemas and types, no I/O.
export * from './archive-meta.js';
export * from './common.js';
export * from './export.js';
export * from './ids.js';
export * from './message.js';
export * from './part.js';
export * from './project.js';
export * from './session.js';
export * from './status.js';
export * from './todo.js';
