// The roles of a wall benchmark. One file plays all three: the orchestrator (run by `npm run bench`) starts
// the same file again as a server process and as a load-generator process, each pinned to a core of its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, start } from './processes.mjs';
import { startBare, startEdge, startToile } from './servers.mjs';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * Plays the role this process was started in: `server toile|bare|edge <dataDir> [<redisUrl> <redisPrefix>]`
 * (with a Redis URL, Toile runs in cluster mode; an edge needs one), `generator`, or the orchestrator.
 */
export async function playRole(self, { generator, orchestrate }) {
  const [role, kind, dataDir, redisUrl, redisPrefix] = process.argv.slice(2);
  const cluster = redisUrl ? { REDIS_URL: redisUrl, TOILE_REDIS_PREFIX: redisPrefix } : {};
  if (role === 'server') {
    const server =
      kind === 'toile'
        ? await startToile({ root: ROOT, dataDir, env: cluster })
        : kind === 'edge'
          ? await startEdge({ root: ROOT, env: cluster })
          : await startBare();
    serve(server.handlers);
  } else if (role === 'generator') generator();
  else process.exitCode = await orchestrate();
}

/**
 * Runs `body(server, generator)` with a fresh server of `kind` (Toile on a throw-away data directory, or
 * the baseline) on core 0 and a load generator on core 1; stops both afterwards, whatever happened.
 * Resolves with what `body` returned, and whether both processes could be pinned.
 */
export async function withProcesses(self, kind, body, { execArgv = [] } = {}) {
  const dataDir = kind === 'toile' ? mkdtempSync(join(tmpdir(), 'toile-bench-')) : '';
  const server = start(self, ['server', kind, dataDir], { core: 0, execArgv });
  const generator = start(self, ['generator'], { core: 1 });
  try {
    return { ...(await body(server, generator)), pinned: server.pinned && generator.pinned };
  } finally {
    await generator.call('close').catch(() => undefined);
    await server.call('close').catch(() => undefined);
    await Promise.all([server.stop(), generator.stop()]);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
