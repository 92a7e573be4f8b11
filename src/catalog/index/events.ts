import { randomText } from '../../model/ids.js';
import type { Message } from '../../model/message.js';
import type { Part } from '../../model/part.js';
import type { Session } from '../../model/session.js';
import type { Todo } from '../../model/todo.js';
import type { SessionStatus } from '../../store/status.js';

/** Events in OpenCode's shape (`{id, type, properties}`) and with its names. */
export type ArchiveEvent =
  | { id: string; type: 'session.created' | 'session.updated' | 'session.deleted'; properties: { sessionID: string; info: Session } }
  | { id: string; type: 'message.updated'; properties: { sessionID: string; info: Message } }
  | { id: string; type: 'message.removed'; properties: { sessionID: string; messageID: string } }
  | { id: string; type: 'message.part.updated'; properties: { sessionID: string; part: Part; time: number } }
  | { id: string; type: 'message.part.removed'; properties: { sessionID: string; messageID: string; partID: string } }
  | { id: string; type: 'todo.updated'; properties: { sessionID: string; todos: Todo[] } }
  | { id: string; type: 'session.status'; properties: { sessionID: string; status: SessionStatus } }
  /** Archive events for writers: someone asked to stop, or to run init (the archive runs no model). */
  | { id: string; type: 'session.aborted'; properties: { sessionID: string; time: number } }
  | { id: string; type: 'session.init'; properties: { sessionID: string; time: number; request: Record<string, unknown> } };

export type ArchiveEventType = ArchiveEvent['type'];

/** A distinct event ID, `evt_` + time + randomness, ascending within a process. */
let lastTime = 0;
let counter = 0;
export function eventId(): string {
  const now = Date.now();
  counter = now === lastTime ? counter + 1 : 0;
  lastTime = now;
  return `evt_${now.toString(16).padStart(12, '0')}${counter.toString(16).padStart(4, '0')}${randomText(5, 'hex')}`;
}

/** Builds an event with a fresh ID. */
export function event<E extends ArchiveEvent>(type: E['type'], properties: E['properties']): E {
  return { id: eventId(), type, properties } as E;
}
