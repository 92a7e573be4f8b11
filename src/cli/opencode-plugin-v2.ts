import { realpathSync } from 'node:fs';
import { join } from 'node:path';

/** The script this `sarc` runs from (its real path), else the package's `bin/sarc.cjs` (a checkout runs its source through tsx). */
function sarcEntry(): string {
  const running = process.argv[1];
  if (running && /\.[cm]?js$/.test(running)) {
    try {
      return realpathSync(running);
    } catch {}
  }
  return join(import.meta.dirname, '..', '..', 'bin', 'sarc.cjs');
}

/**
 * The plugin OpenCode 2 loads (`export default {id, setup(ctx)}`): it follows
 * `ctx.event.subscribe()` and, at most every 200 ms while sessions change,
 * runs `sarc sync opencode` in a process of its own — the sync that reads
 * OpenCode 2's tables, so the plugin and a plain sync never disagree. One sync
 * at start catches up on what changed while it was not loaded (OpenCode 2
 * does not deliver the event that made it load). OpenCode is never waited on
 * or stopped: a failed sync is written to opencode-plugin.log in
 * `$XDG_STATE_HOME/session-archive/`.
 */
export function pluginSourceV2(options: { archive?: string }): string {
  const args = ['sync', 'opencode', ...(options.archive ? ['--archive', options.archive] : [])];
  return `// session-archive: every OpenCode 2 session brought into the archive as it changes.
// Written by \`sarc opencode install\`; run it again after moving session-archive or Node.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

const NODE = ${JSON.stringify(process.execPath)};
const COMMAND = ${JSON.stringify([sarcEntry(), ...args])};
const LOG = join(process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'session-archive', 'opencode-plugin.log');

function log(text) {
  try {
    mkdirSync(dirname(LOG), { recursive: true });
    appendFileSync(LOG, new Date().toISOString() + ' ' + text + '\\n');
  } catch {}
}

export default {
  id: 'session-archive',
  setup(ctx) {
    let timer;
    let running = false;
    let again = false;
    const run = () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      let errors = '';
      try {
        const child = spawn(NODE, COMMAND, { stdio: ['ignore', 'ignore', 'pipe'] });
        child.stderr.on('data', (d) => {
          if (errors.length < 8192) errors += d;
        });
        child.on('error', (e) => log('sarc sync opencode: ' + e.message));
        child.on('close', (code) => {
          running = false;
          // 3: no OpenCode database yet.
          if (code !== 0 && code !== 3) log('sarc sync opencode exited ' + code + ': ' + errors.trim());
          if (again) {
            again = false;
            schedule();
          }
        });
      } catch (e) {
        running = false;
        log('sarc sync opencode: ' + (e && e.message));
      }
    };
    const schedule = () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        run();
      }, 200);
    };
    schedule();
    (async () => {
      for await (const event of ctx.event.subscribe()) if (typeof event?.type === 'string' && event.type.startsWith('session.')) schedule();
    })().catch((e) => log('events: ' + (e && e.message)));
  },
};
`;
}
