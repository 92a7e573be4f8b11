// The second light part of the public API: what the commands that show a
// session or check the search index need (turns, tool-call summaries and
// their diffs, attachments, prices, the search index's saved stamps). Like
// src/basics.ts it loads no schema library, store or server; unlike it, it is
// not loaded at a command's start, so `sarc list` does without the diff
// library and SQLite. Everything here is exported by src/index.ts as well.

export { resumedFromOf, sessionAgent } from './catalog/index/summary.js';
export { replyCost, shippedPrices } from './catalog/search/prices.js';
export { type SearchCheck, startSearchCheck } from './catalog/search/saved-stamps.js';
export { type Attachment, attachmentLine, attachmentOf, dataUrlBytes } from './ops/attachment.js';
export { diffOf, type ToolSummary, toolFailed, toolSummary } from './ops/tool-summary.js';
export { type ChildRef, isPrompt, isSubAgentTool, planTurns, quietKind, subAgentChild, type TurnHead, turnsOf } from './ops/turns.js';
