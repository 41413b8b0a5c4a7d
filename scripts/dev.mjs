// Development: recompiles the server and the client on every change and restarts the server.
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const env = { ...process.env, TOILE_LOG_LEVEL: process.env.TOILE_LOG_LEVEL ?? 'debug' };

const main = join(root, 'dist', 'server', 'main.js');
// Start from a clean compile, so that the server below only starts once this run has produced it.
rmSync(main, { force: true });

const children = [
  spawn(bin('tsc'), ['-p', 'tsconfig.build.json', '--watch', '--preserveWatchOutput'], { cwd: root, stdio: 'inherit' }),
  spawn(bin('vite'), ['build', '--watch', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' }),
];

// The server starts once the first compilation has produced it, and restarts when it changes.
const waitForServer = setInterval(() => {
  if (!existsSync(main)) return;
  clearInterval(waitForServer);
  children.push(
    spawn(process.execPath, ['--watch-path', join(root, 'dist', 'server'), '--enable-source-maps', main], { cwd: root, env, stdio: 'inherit' }),
  );
}, 250);

const stop = () => {
  for (const child of children) child.kill('SIGTERM');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
