import { join, relative, resolve, sep } from 'node:path';
import { ArchiveError } from '../errors.js';
import { assertId } from '../model/ids.js';

const PROJECT_ID = /^[0-9A-Za-z_-]{1,128}$/;

/** Throws unless `child` lies inside `root` (defence in depth behind the ID checks). */
function inside(root: string, child: string): string {
  const rel = relative(root, child);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || resolve(root, rel) !== child) {
    throw new ArchiveError('INVALID_ID', `refusing a path outside ${root}: ${child}`);
  }
  return child;
}

/**
 * The archive's folder layout. Every ID is validated before it becomes a path
 * segment, so no value can make the store touch a path outside the archive.
 */
export class ArchivePaths {
  readonly root: string;
  readonly sessions: string;
  readonly projects: string;
  readonly meta: string;
  readonly gitignore: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.sessions = join(this.root, 'sessions');
    this.projects = join(this.root, 'projects');
    this.meta = join(this.root, 'archive.json');
    this.gitignore = join(this.root, '.gitignore');
  }

  /** Session folders made lately: an export or a page asks for one session's paths thousands of times. */
  private readonly folders = new Map<string, string>();

  session(sessionID: string): string {
    const known = this.folders.get(sessionID);
    if (known !== undefined) return known;
    assertId('session', sessionID);
    const folder = inside(this.sessions, join(this.sessions, sessionID));
    if (this.folders.size >= 1024) this.folders.clear();
    this.folders.set(sessionID, folder);
    return folder;
  }

  info(sessionID: string): string {
    return `${this.session(sessionID)}${sep}info.json`;
  }

  todos(sessionID: string): string {
    return `${this.session(sessionID)}${sep}todos.json`;
  }

  messages(sessionID: string): string {
    return `${this.session(sessionID)}${sep}messages`;
  }

  // A valid ID is letters, digits and an underscore: joined as it is, no separator or dot can enter.
  message(sessionID: string, messageID: string): string {
    assertId('message', messageID);
    return `${this.session(sessionID)}${sep}messages${sep}${messageID}.json`;
  }

  project(projectID: string): string {
    if (!PROJECT_ID.test(projectID)) {
      throw new ArchiveError(
        'INVALID_ID',
        `invalid project ID ${JSON.stringify(projectID.slice(0, 80))}: expected 1-128 letters, digits, _ or -`,
      );
    }
    return inside(this.projects, join(this.projects, `${projectID}.json`));
  }

  /** Archive-relative form of a path, for messages. */
  rel(path: string): string {
    return relative(this.root, path);
  }
}
