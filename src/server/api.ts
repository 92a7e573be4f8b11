import type { ServerActions, ServerDeps } from './actions.js';
import type { Route } from './define-route.js';
import { backupRoutes } from './routes/backup.js';
import { catalogRoutes } from './routes/catalog.js';
import { lifecycleRoutes } from './routes/lifecycle.js';
import { messageRoutes } from './routes/messages.js';
import { moveRoutes } from './routes/moves.js';
import { sessionRoutes } from './routes/sessions.js';

/**
 * Every route of the JSON API, by resource. Order matters where paths
 * overlap: `/session/history` and `/session/orphans` come before
 * `/session/{sessionID}`.
 */
export function apiRoutes(deps: ServerDeps, act: ServerActions): Route[] {
  return [
    ...catalogRoutes(deps),
    // Before the session routes: /session/orphans and /session/migrate are not session IDs.
    ...moveRoutes(deps, act),
    ...sessionRoutes(deps, act),
    ...lifecycleRoutes(deps, act),
    ...messageRoutes(deps, act),
    ...backupRoutes(deps, act),
  ];
}
