import { type AddressInfo, isIP } from 'node:net';
import { serve as nodeServe } from '@hono/node-server';
import { ArchiveError, openArchive, openIndex } from '../index.js';
import { createApp } from './app.js';

export interface ServeOptions {
  /** The archive folder. */
  dir: string;
  stateDir?: string;
  /** @default 4097 (beside OpenCode's 4096); 0 picks a free port. */
  port?: number;
  /** @default 127.0.0.1 */
  hostname?: string;
  /** HTTP basic auth password; required to bind anything but loopback. @default $SARC_SERVER_PASSWORD */
  password?: string;
  bodyLimit?: number;
  onWarning?: (message: string) => void;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || (isIP(host) === 4 && host.startsWith('127.'));
}

/** Opens the archive and its watching index and serves the API on a port. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const hostname = options.hostname ?? '127.0.0.1';
  const password = options.password ?? process.env.SARC_SERVER_PASSWORD;
  if (!isLoopback(hostname) && !password) {
    throw new ArchiveError(
      'INVALID_INPUT',
      `refusing to serve on ${hostname} without a password: anyone on the network could read and change the archive. Set SARC_SERVER_PASSWORD, or serve on 127.0.0.1`,
    );
  }
  const archive = await openArchive({ dir: options.dir, stateDir: options.stateDir });
  const index = await openIndex(archive, { onWarning: options.onWarning });
  // Serve once the watches are in place, so no change after start goes unseen.
  await index.ready();
  const app = createApp({ archive, index, password, bodyLimit: options.bodyLimit });
  const server = await new Promise<ReturnType<typeof nodeServe>>((resolve, reject) => {
    const s = nodeServe({ fetch: app.fetch, port: options.port ?? 4097, hostname }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Event streams stay open; closing the index ends them, then the server can close.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await index.close();
    },
  };
}
