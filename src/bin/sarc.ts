#!/usr/bin/env node
// The composition root: the one place the command line and the server meet.
// The CLI never imports the server (nor the server the CLI); `serve` is added here.
import { main } from '../cli/program.js';
import { mcpCommand } from './mcp-command.js';
import { serveCommand } from './serve-command.js';

// A reader that went away (`sarc list | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv, [serveCommand, mcpCommand]);
