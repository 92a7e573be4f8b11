import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Project } from '../model/project.js';
import { writeFileAtomic } from './atomic-write.js';

/** A project file's stamp: its modification time and size, as `lstat` gives them. */
type Stamp = [mtimeMs: number, size: number];

/** Bump when the layout changes: an older cache is then ignored. */
const CACHE_VERSION = 1;

/**
 * The valid project files as last read, each with its stamp, kept in the
 * state dir (`projects.json`, a cache like the index's snapshot). Listing the
 * projects takes an unchanged file from here rather than parsing and checking
 * it again, which would load the schema library: `sarc list` starts without
 * it. A file whose stamp differs, or that is not in the cache, is read again.
 */
export class ProjectCache {
  private readonly kept = new Map<string, { stamp: Stamp; project: Project }>();
  private changed = false;

  private constructor(
    private readonly path: string,
    entries: Record<string, { stamp: Stamp; project: Project }>,
  ) {
    for (const [id, entry] of Object.entries(entries)) this.kept.set(id, entry);
  }

  /** The cache of a state dir; empty when there is none or it cannot be used. */
  static async load(stateDir: string): Promise<ProjectCache> {
    const path = join(stateDir, 'projects.json');
    try {
      const data = JSON.parse(await readFile(path, 'utf8')) as { version?: unknown; projects?: unknown };
      if (data?.version === CACHE_VERSION && typeof data.projects === 'object' && data.projects !== null && !Array.isArray(data.projects))
        return new ProjectCache(path, data.projects as Record<string, { stamp: Stamp; project: Project }>);
    } catch {
      // Absent or unreadable: every file is read.
    }
    return new ProjectCache(path, {});
  }

  /** The stamp of a project file now; undefined when it is not a regular file (absent, a link: read it and let the store say why). */
  static async stampOf(file: string): Promise<Stamp | undefined> {
    const stats = await lstat(file).catch(() => undefined);
    return stats?.isFile() ? [stats.mtimeMs, stats.size] : undefined;
  }

  /** The project kept for `id` when its file's stamp is still `stamp`. */
  get(id: string, stamp: Stamp | undefined): Project | undefined {
    const entry = this.kept.get(id);
    if (!stamp || !Array.isArray(entry?.stamp) || entry.project?.id !== id) return undefined;
    return entry.stamp[0] === stamp[0] && entry.stamp[1] === stamp[1] ? structuredClone(entry.project) : undefined;
  }

  /** Keeps a project read from a file whose stamp, taken before the read, was `stamp`. */
  set(id: string, stamp: Stamp, project: Project): void {
    this.kept.set(id, { stamp, project: structuredClone(project) });
    this.changed = true;
  }

  /** Forgets every project but `ids` (the files there are now), and writes the cache when it changed (best effort: it is only a cache). */
  async save(ids: ReadonlySet<string>): Promise<void> {
    for (const id of this.kept.keys()) {
      if (!ids.has(id)) {
        this.kept.delete(id);
        this.changed = true;
      }
    }
    if (!this.changed) return;
    this.changed = false;
    const projects = Object.fromEntries([...this.kept].sort(([a], [b]) => (a < b ? -1 : 1)));
    await writeFileAtomic(this.path, `${JSON.stringify({ version: CACHE_VERSION, projects })}\n`).catch(() => undefined);
  }
}
