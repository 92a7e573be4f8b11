// The local socket's room: a running watcher answering the CLI's questions over a Unix socket.
// What other rooms and the rest of src/ use of it; its other modules are its own.

export { LocalAnswers } from './local-socket.js';
