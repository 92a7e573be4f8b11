// The search room: the full-text search index (SQLite FTS5), its queries, and the usage figures and prices kept beside it.
// What other rooms and the rest of src/ use of it; its other modules are its own.

export { IndexSearch } from './index-search.js';
export { loadPrices, type ModelPrice, type PriceTable, priceOf, type Rates, replyCost } from './prices.js';
export { answerUsage, findProject, findProjects, projectLabel, projectLabels, type UsageAnswer, type UsageAsk } from './project-names.js';
export { SESSION_PATHS } from './saved-stamps.js';
export { SearchIndex } from './search-index.js';
export { type OneOffOptions, searchGroupsIndex, searchIndex, usageIndex } from './search-one-off.js';
export { parseSearch, type SearchTerm } from './search-query.js';
export { messageText, partText } from './search-text.js';
export type { GroupedSearchResult, SearchGroup, SearchHit, SearchQuery, SearchResult } from './search-types.js';
export {
  DIMENSIONS,
  type Dimension,
  type Figures,
  IDLE_MS,
  type TokenCounts,
  type UsageQuery,
  type UsageResult,
  type UsageRow,
} from './usage.js';
