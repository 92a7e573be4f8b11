import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', 'src');

/** file (relative to src/, e.g. `cli/program.ts`) → the src files it imports, type-only imports included. */
type Graph = Map<string, string[]>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The import graph of src/, read with TypeScript's own pre-processor (imports, `import type`, re-exports, dynamic imports). */
function readGraph(): Graph {
  const graph: Graph = new Map();
  for (const file of sourceFiles(SRC)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles
      .map((f) => f.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => relative(SRC, resolve(dirname(file), name.replace(/\.js$/, '.ts'))));
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

const folderOf = (file: string) => (file.includes('/') ? (file.split('/')[0] as string) : '');

/** The library's layers, lowest first: a layer may import its own and lower ones only. Root files (errors, version, progress) are below all. */
const LAYERS = ['model', 'store', 'catalog', 'ops'];
const PUBLIC_API = 'index.ts';
/** The light part of the public API (no schema library, store or SQLite): what the CLI loads before it knows it needs more. */
const LIGHT_API = 'basics.ts';
/** The reading part of the public API (open an archive and its index): what `sarc list` loads instead of the whole library. */
const READING_API = 'reading.ts';
/** The light part that shows sessions (turns, tool calls and their diffs, prices, search checks): loaded by the commands that do, not at start. */
const VIEWS_API = 'views.ts';
const ENTRIES = [PUBLIC_API, LIGHT_API, READING_API, VIEWS_API];
const FRONT_ENDS = ['cli', 'server', 'mcp', 'bin'];
/** Front ends that never import each other (the composition root in bin/ wires them). */
const PEERS = ['cli', 'server', 'mcp'];

/** A file's place in the layers: root files lowest, the public API above every layer. */
function levelOf(file: string): number {
  if (ENTRIES.includes(file)) return Number.POSITIVE_INFINITY;
  const folder = folderOf(file);
  return folder === '' ? -1 : LAYERS.indexOf(folder);
}

const CAPTURE = 'ops/capture/';
const AGENTS_DIR = `${CAPTURE}agents/`;
/** The agent folder a file is in (`ops/capture/agents/codex/`), or undefined. */
const agentOf = (file: string) =>
  file.startsWith(AGENTS_DIR) ? `${AGENTS_DIR}${file.slice(AGENTS_DIR.length).split('/')[0]}/` : undefined;

/** The capture seam's rules: an agent imports only its own folder, the contract and the kit; nothing in the seam imports an agent but the registry (lazily) and the public API. */
function seamViolations(from: string, to: string): string[] {
  const out: string[] = [];
  const own = agentOf(from);
  if (own && !to.startsWith(own) && to !== `${CAPTURE}contract.ts` && !to.startsWith(`${CAPTURE}kit/`)) {
    out.push(`${from} imports ${to}: an agent folder imports only its own files, the contract and the kit`);
  }
  if (!own && agentOf(to) && from.startsWith(CAPTURE) && from !== `${CAPTURE}registry.ts`) {
    out.push(`${from} imports ${to}: the engine, the kit and the watch loop never import an agent (the registry loads them)`);
  }
  return out;
}

/**
 * The catalog's rooms, by what each may import: the session index needs no
 * other room; search reads the index's listing and stamps; the watch and the
 * local socket use both (and not each other). `catalog/session-index.ts`,
 * outside every room, is the wiring that opens an index and its rooms.
 */
const ROOMS: Record<string, string[]> = { index: [], search: ['index'], watch: ['index', 'search'], socket: ['index', 'search'] };
const roomOf = (file: string) => (file.startsWith('catalog/') && file.split('/').length === 3 ? file.split('/')[1] : undefined);

/**
 * The rooms' rules: from outside a room, only its facade (`catalog/<room>/index.ts`)
 * is imported — but by a module of the light API (`light`), which imports the
 * light module itself, as a facade loads its whole room; a room imports only
 * the rooms below it.
 */
function roomViolations(from: string, to: string, light: ReadonlySet<string>): string[] {
  const theirs = roomOf(to);
  const own = roomOf(from);
  if (theirs === undefined || own === theirs) return [];
  const out: string[] = [];
  if (!to.endsWith('/index.ts') && !light.has(from))
    out.push(`${from} imports ${to}: outside its room, catalog/${theirs}/ is used through its facade (index.ts)`);
  if (own !== undefined && !ROOMS[own]?.includes(theirs))
    out.push(
      `${from} imports ${to}: the ${own} room does not use the ${theirs} room (${Object.entries(ROOMS)
        .map(([r, below]) => `${r} ← ${below.join(', ') || 'none'}`)
        .join('; ')})`,
    );
  return out;
}

/** Every rule the code layout promises, as messages naming the import that breaks it (empty when all hold). `light`: the light API's modules. */
function violations(graph: Graph, light: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) for (const to of targets) out.push(...seamViolations(from, to), ...roomViolations(from, to, light));
  for (const cycle of cycles(graph)) out.push(`import cycle: ${cycle.join(' → ')}`);
  for (const [from, targets] of graph) {
    const own = folderOf(from);
    for (const to of targets) {
      const theirs = folderOf(to);
      if (PEERS.includes(own) && PEERS.includes(theirs) && own !== theirs) {
        out.push(
          `${from} imports ${to}: the CLI, the server and the MCP server never import each other (the composition root in bin/ wires them)`,
        );
      } else if (PEERS.includes(own) && theirs !== own && !ENTRIES.includes(to)) {
        out.push(
          `${from} imports ${to}: ${own}/ uses the library only through its public API (src/index.ts, src/basics.ts, src/reading.ts)`,
        );
      } else if ((LAYERS.includes(own) || own === '') && !ENTRIES.includes(from)) {
        if (FRONT_ENDS.includes(theirs)) {
          out.push(`${from} imports ${to}: the library never imports a front end`);
        } else if (levelOf(to) > levelOf(from)) {
          out.push(`${from} imports ${to}: ${own || 'a root file'} must not depend on ${theirs || to} (layers: ${LAYERS.join(' ← ')})`);
        }
      }
    }
  }
  return [...new Set(out)].sort();
}

/** Every cycle once (as found by a depth-first search), each as the files around it. */
function cycles(graph: Graph): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}

/** Static value imports and re-exports (not `import type`, not `import()`) of a file, by specifier. */
function staticValueImports(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  return [...text.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1] as string);
}

/** Every src file that loading `file` loads (itself included), and the packages they load. */
function loads(file: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>([file]);
  const packages = new Set<string>();
  const queue = [file];
  while (queue.length) {
    const from = queue.shift() as string;
    for (const spec of staticValueImports(from)) {
      if (spec.startsWith('node:')) continue;
      if (!spec.startsWith('.')) packages.add(spec);
      else {
        const to = relative(SRC, resolve(dirname(join(SRC, from)), spec.replace(/\.js$/, '.ts')));
        if (!files.has(to)) files.add(to) && queue.push(to);
      }
    }
  }
  return { files, packages };
}

describe('architecture', () => {
  it('the light API loads no schema library, store, SQLite or server: the CLI starts without them', () => {
    const graph = readGraph();
    const light = loads(LIGHT_API);
    expect(light.files.has(PUBLIC_API)).toBe(false);
    expect(light.files.has('catalog/socket/local-client.ts')).toBe(true);
    expect(light.packages).toEqual(new Set(['ulid']));
    // What showing a session needs is not loaded at a command's start: no diff library, no SQLite, no price table.
    expect([...light.files].filter((f) => f === VIEWS_API || /^catalog\/search\/|^store\/sqlite|^ops\/tool-summary/.test(f))).toEqual([]);
    const views = loads(VIEWS_API);
    expect(views.files.has(PUBLIC_API)).toBe(false);
    expect(views.files.has('catalog/search/saved-stamps.ts')).toBe(true);
    expect(views.packages).toEqual(new Set(['diff', 'ulid']));
    // The whole library, for contrast: the check sees what it loads.
    expect(loads(PUBLIC_API).packages).toContain('zod');
    // The reading part loads the store and the index, not the operations, capture or redaction.
    const reading = loads(READING_API);
    expect(reading.files.has('catalog/session-index.ts')).toBe(true);
    expect([...reading.files].filter((f) => f.startsWith('ops/'))).toEqual([]);
    // Nor the schema library, nor the search, watch and socket rooms: `sarc list` from the index's snapshot needs none
    // (the store loads the model's schemas with the first file it reads; the index loads a room when asked for it).
    expect(
      [...reading.files].filter((f) => /^catalog\/(search|watch|socket)\//.test(f) || /^model\/(?!ids|lazy|archive-format)/.test(f)),
    ).toEqual([]);
    expect([...reading.packages].filter((p) => ['zod', 'jsonc-parser', 'chokidar'].includes(p))).toEqual([]);
    // The CLI and the composition root load the whole library (and the server) only when a command needs it.
    const front = [...graph.keys()].filter((f) => f.startsWith('cli/') || f.startsWith('bin/'));
    expect(front.length).toBeGreaterThan(10);
    const eager = front.flatMap((f) =>
      staticValueImports(f)
        .filter((spec) => /(^|\/)index\.js$/.test(spec) || /\/server\//.test(spec))
        .map((spec) => `${f} → ${spec}`),
    );
    expect(eager).toEqual([]);
    // And the check itself sees a static import where there is one.
    expect(staticValueImports('cli/program.ts')).toContain('commander');
  });

  it('src/ keeps its layers: no cycles, no CLI↔server imports, front ends only through the public API', () => {
    const graph = readGraph();
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('bin/sarc.ts')).toEqual(expect.arrayContaining(['cli/program.ts']));
    expect(violations(graph, new Set([...loads(LIGHT_API).files, ...loads(VIEWS_API).files]))).toEqual([]);
    // The catalog is in its rooms, each with a facade; outside them only the wiring (the index and its questions to search).
    for (const room of Object.keys(ROOMS)) expect(graph.has(`catalog/${room}/index.ts`), room).toBe(true);
    expect([...graph.keys()].filter((f) => f.startsWith('catalog/') && !roomOf(f)).sort()).toEqual([
      'catalog/searching-queries.ts',
      'catalog/session-index.ts',
    ]);
  });

  // Each rule, broken once on a small graph, must be reported: a checker that
  // cannot fail proves nothing.
  const base = (): Graph =>
    new Map([
      ['index.ts', ['store/archive.ts', 'ops/fork.ts']],
      ['errors.ts', []],
      ['model/ids.ts', ['errors.ts']],
      ['store/archive.ts', ['model/ids.ts', 'errors.ts']],
      ['catalog/session-index.ts', ['store/archive.ts']],
      ['catalog/index/summary.ts', ['store/archive.ts']],
      ['catalog/index/index.ts', ['catalog/index/summary.ts']],
      ['catalog/search/usage.ts', []],
      ['ops/fork.ts', ['catalog/session-index.ts', 'store/archive.ts']],
      ['cli/program.ts', ['index.ts', 'cli/runner.ts']],
      ['cli/runner.ts', []],
      ['server/app.ts', ['index.ts', 'server/errors.ts']],
      ['server/errors.ts', ['index.ts']],
      ['bin/sarc.ts', ['cli/program.ts', 'server/app.ts']],
      ['ops/capture/contract.ts', []],
      ['ops/capture/kit/index.ts', ['ops/capture/contract.ts', 'model/ids.ts']],
      ['ops/capture/engine.ts', ['ops/capture/contract.ts', 'store/archive.ts']],
      ['ops/capture/registry.ts', ['ops/capture/agents/codex/adapter.ts']],
      ['ops/capture/agents/codex/adapter.ts', ['ops/capture/agents/codex/convert.ts', 'ops/capture/kit/index.ts']],
      ['ops/capture/agents/codex/convert.ts', ['ops/capture/contract.ts', 'ops/capture/kit/index.ts']],
      ['ops/capture/agents/claude-code/adapter.ts', ['ops/capture/kit/index.ts']],
    ]);
  const breaking = (from: string, to: string): string[] => {
    const graph = base();
    graph.set(from, [...(graph.get(from) ?? []), to]);
    return violations(graph);
  };

  it('the rules hold on a well-formed graph', () => {
    expect(violations(base())).toEqual([]);
  });

  it('reports a cycle, type-only imports included', () => {
    expect(breaking('cli/runner.ts', 'cli/program.ts')).toEqual(['import cycle: cli/program.ts → cli/runner.ts → cli/program.ts']);
  });

  /** The lines (`file:line`) of the CLI and the composition root, but the files `except`, that `matches`. */
  const frontLines = (except: string[], matches: (line: string) => boolean): string[] =>
    [...sourceFiles(join(SRC, 'cli')), ...sourceFiles(join(SRC, 'bin'))].flatMap((file) => {
      const name = relative(SRC, file);
      if (except.includes(name)) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (matches(line) ? [`${name}:${i + 1}`] : []));
    });

  it('the command line writes human text only through terminal-text.ts (nothing from a transcript acts on the terminal)', () => {
    // The cleaning sink itself, and the completion script (sarc's own text, for a shell to source).
    // JSON is written as it is: it escapes what a terminal would act on, and a script reads it.
    const raw = frontLines(
      ['cli/terminal-text.ts', 'cli/completion.ts'],
      (line) => /process\.std(out|err)\.write\(/.test(line) && !line.includes('JSON.stringify'),
    );
    expect(raw).toEqual([]);
  });

  it('a command that finishes with failures says so one way (ctx.partly / ctx.exitWith), never by setting the exit code itself', () => {
    // The runner applies a command's outcome; the composition root hands main's code to Node.
    expect(frontLines(['cli/runner.ts', 'bin/sarc.ts'], (line) => /process\.exitCode\s*=[^=]/.test(line))).toEqual([]);
    // The check sees one where there is one.
    expect(frontLines([], (line) => /process\.exitCode\s*=[^=]/.test(line))).toContain('bin/sarc.ts:14');
  });

  it('no file in src/ is over 300 lines: each says one thing a reader can hold', () => {
    const lines = (file: string) => readFileSync(file, 'utf8').split('\n').length - 1;
    const long = sourceFiles(SRC)
      .filter((f) => lines(f) > 300)
      .map((f) => `${relative(SRC, f)}: ${lines(f)}`);
    expect(long).toEqual([]);
  });

  it("the server's route files are named as the CLI's command files for the same operations", () => {
    const names = (dir: string) => sourceFiles(join(SRC, dir)).map((f) => relative(join(SRC, dir), f));
    const commands = new Set(names('cli/commands'));
    // Messages are written by agents and read by `sarc show` (sessions.ts); only the API writes one by one.
    const serverOnly = new Set(['messages.ts']);
    expect(names('server/routes').filter((f) => !serverOnly.has(f) && !commands.has(f))).toEqual([]);
  });

  it('reports the CLI, the server and the MCP server importing one another', () => {
    const peers = 'the CLI, the server and the MCP server never import each other (the composition root in bin/ wires them)';
    expect(breaking('cli/program.ts', 'server/app.ts')).toEqual([`cli/program.ts imports server/app.ts: ${peers}`]);
    expect(breaking('server/app.ts', 'cli/runner.ts')).toEqual([`server/app.ts imports cli/runner.ts: ${peers}`]);
    expect(breaking('mcp/server.ts', 'cli/runner.ts')).toEqual([`mcp/server.ts imports cli/runner.ts: ${peers}`]);
    expect(breaking('mcp/server.ts', 'model/ids.ts')).toEqual([
      'mcp/server.ts imports model/ids.ts: mcp/ uses the library only through its public API (src/index.ts, src/basics.ts, src/reading.ts)',
    ]);
  });

  it('reports a front end reaching past the public API', () => {
    expect(breaking('server/errors.ts', 'errors.ts')).toEqual([
      'server/errors.ts imports errors.ts: server/ uses the library only through its public API (src/index.ts, src/basics.ts, src/reading.ts)',
    ]);
    expect(breaking('cli/program.ts', 'model/ids.ts')).toEqual([
      'cli/program.ts imports model/ids.ts: cli/ uses the library only through its public API (src/index.ts, src/basics.ts, src/reading.ts)',
    ]);
  });

  it('reports an agent reaching past the contract and the kit, and the engine importing an agent', () => {
    expect(breaking('ops/capture/agents/codex/convert.ts', 'store/archive.ts')).toEqual([
      'ops/capture/agents/codex/convert.ts imports store/archive.ts: an agent folder imports only its own files, the contract and the kit',
    ]);
    expect(breaking('ops/capture/agents/codex/convert.ts', 'ops/capture/agents/claude-code/adapter.ts')).toEqual([
      'ops/capture/agents/codex/convert.ts imports ops/capture/agents/claude-code/adapter.ts: an agent folder imports only its own files, the contract and the kit',
    ]);
    expect(breaking('ops/capture/engine.ts', 'ops/capture/agents/codex/adapter.ts')).toEqual([
      'ops/capture/engine.ts imports ops/capture/agents/codex/adapter.ts: the engine, the kit and the watch loop never import an agent (the registry loads them)',
    ]);
    expect(breaking('ops/capture/kit/index.ts', 'ops/capture/agents/codex/convert.ts')).toContain(
      'ops/capture/kit/index.ts imports ops/capture/agents/codex/convert.ts: the engine, the kit and the watch loop never import an agent (the registry loads them)',
    );
  });

  it('reports a room reached past its facade, and a room using one above it', () => {
    expect(breaking('ops/fork.ts', 'catalog/search/search-index.ts')).toEqual([
      'ops/fork.ts imports catalog/search/search-index.ts: outside its room, catalog/search/ is used through its facade (index.ts)',
    ]);
    expect(breaking('catalog/index/summary.ts', 'catalog/search/index.ts')).toEqual([
      'catalog/index/summary.ts imports catalog/search/index.ts: the index room does not use the search room (index ← none; search ← index; watch ← index, search; socket ← index, search)',
    ]);
    expect(breaking('catalog/search/usage.ts', 'catalog/index/index.ts')).toEqual([]);
  });

  it('reports a lower layer importing a higher one, and the library importing a front end', () => {
    expect(breaking('store/paths.ts', 'catalog/session-index.ts')).toEqual([
      'store/paths.ts imports catalog/session-index.ts: store must not depend on catalog (layers: model ← store ← catalog ← ops)',
    ]);
    expect(breaking('catalog/session-index.ts', 'index.ts')).toContain(
      'catalog/session-index.ts imports index.ts: catalog must not depend on index.ts (layers: model ← store ← catalog ← ops)',
    );
    expect(breaking('ops/fork.ts', 'cli/runner.ts')).toContain('ops/fork.ts imports cli/runner.ts: the library never imports a front end');
  });
});
