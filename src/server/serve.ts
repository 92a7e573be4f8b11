import { type AddressInfo, isIP } from 'node:net';
import { serve as nodeServe } from '@hono/node-server';
import { ArchiveError, openArchive, openIndex } from '../index.js';
import { createApp } from './app.js';
import { sitePolicy } from './guard.js';

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
  /**
   * The URL people reach this server at (behind a proxy, say): share URLs
   * are built from it, and its host name is answered to.
   * @default http://<bound address>:<port>
   */
  publicUrl?: string;
  /** More Host names to answer to (e.g. a name in /etc/hosts); `name` allows any port, `name:port` one. */
  allowHosts?: readonly string[];
  onWarning?: (message: string) => void;
  /** A client has this long to send its request headers (Node's checks add up to 2 s more: a slowloris client is cut off within about 10 s). @default 8000 */
  headersTimeoutMs?: number;
  /** …and this long for the whole request, body included. @default 120000 */
  requestTimeoutMs?: number;
  /** Connections held open at once; past it new ones are refused until some close. @default 4096 */
  maxConnections?: number;
  /** Keep the full-text search index (`GET /search`, the UI's search box); it watches every messages folder. @default true */
  search?: boolean;
  /** Answer `sarc list`, `show`, `search` and `status` over a Unix socket in the state dir (see `openIndex`'s `localSocket`). @default true */
  localSocket?: boolean;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

function checkPublicUrl(value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
    throw new ArchiveError('INVALID_INPUT', `invalid public URL ${JSON.stringify(value)}: expected http(s)://host[:port][/path]`);
  }
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
  if (options.publicUrl !== undefined) checkPublicUrl(options.publicUrl);
  const archive = await openArchive({ dir: options.dir, stateDir: options.stateDir });
  const index = await openIndex(archive, {
    onWarning: options.onWarning,
    search: options.search ?? true,
    localSocket: options.localSocket ?? true,
  });
  // Serve once the watches are in place, so no change after start goes unseen.
  await index.ready();
  // The port is known only once bound (port 0), and the Host policy needs it:
  // bind first, answer 503 for the instant before the app exists.
  // `env` carries Node's request (see `plainIncoming`).
  let handle: (request: Request, env: unknown) => Response | Promise<Response> = () => new Response('starting', { status: 503 });
  const server = await new Promise<ReturnType<typeof nodeServe>>((resolve, reject) => {
    const s = nodeServe(
      {
        fetch: (request, env) => handle(request, env),
        port: options.port ?? 4097,
        hostname,
        serverOptions: {
          headersTimeout: options.headersTimeoutMs ?? 8_000,
          requestTimeout: options.requestTimeoutMs ?? 120_000,
          // Node checks those timeouts only this often (30 s by default).
          connectionsCheckingInterval: 1_000,
          keepAliveTimeout: 5_000,
        },
      },
      () => resolve(s),
    );
    s.once('error', reject);
  });
  // Far below the file-descriptor limit Node raises itself to, so reads of the archive always find one.
  (server as unknown as { maxConnections: number }).maxConnections = options.maxConnections ?? 4096;
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  const publicUrl = (options.publicUrl ?? url).replace(/\/+$/, '');
  const site = sitePolicy({ port: address.port, boundHost: address.address, allowHosts: options.allowHosts, publicUrl });
  const app = createApp({ archive, index, password, bodyLimit: options.bodyLimit, site, publicUrl });
  handle = (request, env) => app.fetch(request, env);
  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Event streams stay open until their sockets go: end them all.
          (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
        // Whatever a client does, stopping takes a bounded time.
        await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 1_500).unref())]);
        await index.close();
      })();
      return closing;
    },
  };
}
