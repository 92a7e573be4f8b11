// The schemas the store checks files and input with, in one module the store
// loads on first use (see ./lazy.ts).
export { archiveMeta } from './archive-meta.js';
export { messageFile } from './message.js';
export { project } from './project.js';
export { sessionInfo } from './session.js';
export { statusInput } from './status.js';
export { todoList } from './todo.js';
