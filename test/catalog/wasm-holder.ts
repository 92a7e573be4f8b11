// A process that dies inside a write transaction of the search index opened through
// SQLite in WebAssembly (run with SARC_SQLITE=wasm): prints "ready" holding the
// engine's lock, then spins until the test kills it.
import { openSqlite } from '../../src/store/sqlite.js';

const db = openSqlite(process.argv[2] as string, { purpose: 'test', own: true });
db.exec('BEGIN IMMEDIATE');
db.prepare("INSERT OR REPLACE INTO meta VALUES ('held', ?)").run(String(process.pid));
process.stdout.write('ready\n');
for (;;);
