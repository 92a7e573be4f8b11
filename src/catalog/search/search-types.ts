// What a full-text search asks and answers (see SearchIndex.search and searchGroups).
/** A full-text search (see {@link SearchIndex.search}). */
export interface SearchQuery {
  /** Words (every one must match, in any form: `retry` finds "retries"), `word*` for a beginning, `"a phrase"`, `-word` to leave out. Case and accents do not matter. */
  query: string;
  /** Only sessions of this project (ID). */
  project?: string;
  /** Only sessions in this folder (and below) or matching this glob; `~` is the home folder. */
  directory?: string;
  /** Only sessions from this agent ("claude-code", "codex", "opencode", …, "archive"). */
  agent?: string;
  /** Only messages (and sessions) from this time on (epoch ms). */
  from?: number;
  /** Only messages (and sessions) before this time (epoch ms). */
  to?: number;
  /** Only messages of this role (leaves titles and todos out). */
  role?: 'user' | 'assistant';
  /** Archived sessions: `include` (default: search finds everything), `exclude` or `only`. */
  archived?: 'include' | 'exclude' | 'only';
  /** Hits per page (1–500). @default 20 */
  limit?: number;
  /** Hits to skip (the next page starts at `offset + limit`). @default 0 */
  offset?: number;
}

/** One place the words were found. */
export interface SearchHit {
  sessionID: string;
  /** The message, unless the hit is the session's title or todos. */
  messageID?: string;
  role?: 'user' | 'assistant';
  /** Where in the session: its `title`, its `todos`, or a `message`. */
  field: 'title' | 'todos' | 'message';
  title: string;
  directory: string;
  projectID: string;
  archived: boolean;
  /** The message's `time.created`, or the session's `time.updated` (epoch ms). */
  time: number;
  /** A few words around the match, on one line. */
  snippet: string;
  /** Where the matched words are in `snippet`: `[start, end)` character offsets. */
  marks: Array<[number, number]>;
}

export interface SearchResult {
  hits: SearchHit[];
  /** True when more hits follow (ask again with `offset + limit`). */
  more: boolean;
  /**
   * Set when the words match so many rows that only the newest this many were
   * ranked by relevance (and paged through): add words or filters to reach
   * older ones.
   */
  rankedAmong?: number;
}

/** Hits of one session (with the forks and copies folded into it), for a search that groups them. */
export interface SearchGroup {
  /** The session the group stands for (a fork's copied messages are grouped under their source). */
  sessionID: string;
  /** Its best hit. */
  best: SearchHit;
  /** Its next best hits (a few). */
  others: SearchHit[];
  /** How many hits it has in all (among the matches grouped). */
  count: number;
  /** The sessions whose hits it holds (itself, and forks or copies folded in). */
  sessions: string[];
}

export interface GroupedSearchResult {
  groups: SearchGroup[];
  /** True when more groups follow (ask again with `offset + limit`). */
  more: boolean;
  /** Set when more matches than were grouped exist: counts are then "at least". */
  capped?: boolean;
  rankedAmong?: number;
}

/** How a session looked when it was indexed: the stamps of its files and folder. */
