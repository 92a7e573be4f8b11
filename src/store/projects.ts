import { mkdir, readdir } from 'node:fs/promises';
import { ArchiveError, errnoCode, isArchiveError } from '../errors.js';
import { modelSchemas } from '../model/lazy.js';
import type { Project } from '../model/project.js';
import type { StoreContext } from './context.js';
import { nextUpdated, writeData } from './context.js';
import { readDataFile } from './json-file.js';
import { mapLimit } from './map-limit.js';
import { ProjectCache } from './project-cache.js';
import { type DetectedProject, detectProject, repositoryMark } from './project-id.js';
import { validate } from './validate.js';

/** How long a folder's detected project is reused. */
export const DETECT_TTL_MS = 2_000;

/** What `upsert` takes: a project's ID and worktree, plus any other fields to set. */
export type ProjectInput = Partial<Omit<Project, 'id' | 'worktree' | 'time'>> & { id: string; worktree: string } & Record<string, unknown>;

/** Project records (`projects/<id>.json`). */
export class ProjectStore {
  private readonly detected = new Map<string, { at: number; mark: string; pending: Promise<DetectedProject> }>();

  constructor(private readonly ctx: StoreContext) {}

  private async load(id: string) {
    const path = this.ctx.paths.project(id);
    const loaded = await readDataFile((await modelSchemas()).project, path);
    if (loaded && loaded.value.id !== id) {
      throw new ArchiveError('CORRUPT', `${path}: id: ${loaded.value.id} does not match its file name ${id}`, { path });
    }
    return loaded;
  }

  /** A project; `NOT_FOUND` when absent. */
  async get(id: string): Promise<Project> {
    const loaded = await this.load(id);
    if (!loaded) throw new ArchiveError('NOT_FOUND', `project not found: ${id}`, { path: this.ctx.paths.project(id) });
    return loaded.value;
  }

  /** Every valid project, by ID. Broken project files are skipped; unchanged ones come from the {@link ProjectCache}. */
  async list(): Promise<Project[]> {
    let names: string[];
    try {
      names = await readdir(this.ctx.paths.projects);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return [];
      throw error;
    }
    const ids = names.filter((n) => /^[0-9A-Za-z_-]{1,128}\.json$/.test(n)).map((n) => n.slice(0, -5));
    const cache = await ProjectCache.load(this.ctx.stateDir);
    const found = await mapLimit(ids, 32, async (id) => {
      const stamp = await ProjectCache.stampOf(this.ctx.paths.project(id));
      const kept = cache.get(id, stamp);
      if (kept) return kept;
      const read = await this.get(id).catch((e: unknown) => (isArchiveError(e, 'CORRUPT') ? undefined : Promise.reject(e)));
      if (read && stamp) cache.set(id, stamp, read);
      return read;
    });
    await cache.save(new Set(ids));
    return found.filter((p): p is Project => p !== undefined).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** Creates or updates a project record, keeping fields not given; writes nothing when nothing changes. */
  async upsert(input: ProjectInput): Promise<Project> {
    const path = this.ctx.paths.project(input.id);
    await mkdir(this.ctx.paths.projects, { recursive: true });
    return this.ctx.locks.with(`project_${input.id}`, async () => {
      const loaded = await this.load(input.id);
      const now = this.ctx.now();
      const base = loaded?.value ?? { sandboxes: [], time: { created: now, updated: now } };
      const merged = validate((await modelSchemas()).project, { ...base, ...input, time: base.time }, 'invalid project', 'INVALID_INPUT');
      if (loaded && JSON.stringify(merged) === JSON.stringify(loaded.value)) return loaded.value;
      if (loaded) merged.time.updated = nextUpdated(this.ctx, loaded.value.time.updated);
      await writeData(path, merged, loaded);
      return merged;
    });
  }

  /**
   * The project of a directory, derived as OpenCode does (first root commit
   * of its git repository, `global` outside git), without writing anything.
   * A folder's answer is reused for {@link DETECT_TTL_MS} (a burst of creates
   * in one folder runs git once), and only while its nearest `.git` entry is
   * the one it was found with, unchanged ({@link repositoryMark}): a folder
   * that just became a git repository, or got its first commit, is seen as
   * one at once.
   */
  async detect(directory: string): Promise<DetectedProject> {
    const now = this.ctx.now();
    const mark = await repositoryMark(directory);
    const cached = this.detected.get(directory);
    if (cached && now - cached.at < DETECT_TTL_MS && cached.mark === mark) return cached.pending;
    const pending = detectProject(directory);
    this.detected.set(directory, { at: now, mark, pending });
    pending.catch(() => this.detected.delete(directory));
    if (this.detected.size > 1_000) {
      for (const [dir, entry] of this.detected) if (now - entry.at >= DETECT_TTL_MS) this.detected.delete(dir);
    }
    return pending;
  }

  /** Records a detected project (`projects/<id>.json`), unless it is recorded as it is. */
  async record(found: DetectedProject): Promise<Project> {
    const existing = await this.load(found.id).catch(() => undefined);
    if (existing && existing.value.worktree === found.worktree && existing.value.vcs === found.vcs) return existing.value;
    return this.upsert({ ...found });
  }

  /** The project of a directory ({@link detect}), recorded. */
  async projectFor(directory: string): Promise<Project> {
    return this.record(await this.detect(directory));
  }
}
