// The watch room: folder watches on the archive and the router that turns their notices into index and search refreshes.
// What other rooms and the rest of src/ use of it; its other modules are its own.

export { MessageFollower } from './message-follow.js';
export { WatchRouter } from './watch-router.js';
export type { ArchiveWatcher } from './watcher.js';
