// Benchmark: server memory per idle wall viewer, Toile against a bare `ws` server holding the same number of
// connections (DESIGN.md, "Scale and speed"). Goal: Toile's memory per viewer ≤ 1.2× the baseline's, on
// both figures below: RSS alone flatters Toile (its start-up leaves freed pages that new connections reuse).
//
// Three processes: this one orchestrates; the server (Toile's compiled app on a fresh SQLite file, or the
// baseline; run with --expose-gc) is pinned to one core; the load generator (raw-socket viewers that only
// count frames) to the other. For each server: its memory after two full collections (the `memory` RPC)
// before any viewer connects, then N viewers connect to `/ws/walls/capcomnet` (Toile: each waits for its
// snapshot) or `/` (the baseline, which sends nothing), a second passes so that whatever a connection
// allocates lazily has been, and the memory is read again. Per viewer = (after − before) / N, for
// - RSS: what the machine pays;
// - heap: V8's heapUsed plus `external` (memory outside the heap held by JS objects: socket buffers among it;
//   `arrayBuffers` is a part of `external`, so it is not added again).
// The server's own count of connected viewers shows that all N were held when the memory was read.
//
// Knobs: BENCH_VIEWERS (10000), BENCH_SETTLE_MS (pause before the second reading, 1000).
import { fileURLToPath } from 'node:url';
import { serve } from './lib/processes.mjs';
import { playRole, withProcesses } from './lib/roles.mjs';
import { describeMachine, knob, number, table, writeResults } from './lib/report.mjs';
import { WALL } from './lib/servers.mjs';
import { sleep, ViewerPool } from './lib/viewers.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const GOAL_RATIO = 1.2;

// ---------------------------------------------------------------------------------------------------
// The load generator's process.

function generator() {
  let pool;
  serve({
    async connect({ url, count, kind }) {
      pool = new ViewerPool(url, kind === 'toile' ? `/ws/walls/${WALL}` : '/');
      const connected = await pool.connect(count, { firstFrame: kind === 'toile' });
      return { ...connected, open: pool.viewers.filter((viewer) => viewer.open).length };
    },
    report: () => pool.reportAsScreens(),
    close() {
      pool?.close();
    },
  });
}

// ---------------------------------------------------------------------------------------------------
// Orchestrator.

const heap = (memory) => memory.heapUsed + memory.external;

function measure(kind, viewers, { settleMs }) {
  return withProcesses(
    SELF,
    kind,
    async (serverProcess, generatorProcess) => {
      const info = await serverProcess.call('info');
      const before = await serverProcess.call('memory');
      const connected = await generatorProcess.call('connect', { url: info.url, count: viewers, kind });
      await sleep(settleMs);
      const after = await serverProcess.call('memory');
      const held = await serverProcess.call('viewers');
      // Then every viewer sends the heartbeat a wall page sends (phones too): what that adds, for information.
      let reporting = null;
      if (kind === 'toile') {
        const cpuFrom = await serverProcess.call('cpu');
        await generatorProcess.call('report');
        await sleep(settleMs);
        const cpuTo = await serverProcess.call('cpu');
        const memory = await serverProcess.call('memory');
        reporting = {
          memory,
          perViewer: { rss: (memory.rss - before.rss) / viewers, heap: (heap(memory) - heap(before)) / viewers },
          // Read while the server does nothing else: its idle time is in it, so this is an upper bound.
          microsPerHeartbeat: (cpuTo.micros - cpuFrom.micros) / viewers,
        };
      }
      return {
        kind,
        viewers,
        connected,
        held,
        before,
        after,
        perViewer: { rss: (after.rss - before.rss) / viewers, heap: (heap(after) - heap(before)) / viewers },
        reporting,
      };
    },
    { execArgv: ['--expose-gc'] },
  );
}

async function orchestrate() {
  const viewers = knob('BENCH_VIEWERS', 10_000);
  const settleMs = knob('BENCH_SETTLE_MS', 1000);
  const toile = await measure('toile', viewers, { settleMs });
  const bare = await measure('bare', viewers, { settleMs });
  const ratio = { rss: toile.perViewer.rss / bare.perViewer.rss, heap: toile.perViewer.heap / bare.perViewer.heap };

  const mib = (bytes) => number(bytes / 2 ** 20, 1);
  const rows = [['server', 'viewers held', 'RSS before/after MiB', 'heap before/after MiB', 'RSS/viewer B', 'heap/viewer B']];
  for (const result of [bare, toile]) {
    rows.push([
      result.kind === 'toile' ? 'Toile' : 'bare ws',
      `${number(result.held)} / ${number(result.viewers)}`,
      `${mib(result.before.rss)} / ${mib(result.after.rss)}`,
      `${mib(heap(result.before))} / ${mib(heap(result.after))}`,
      number(result.perViewer.rss),
      number(result.perViewer.heap),
    ]);
  }
  rows.push([
    'Toile, each viewer having sent a heartbeat',
    `${number(toile.held)} / ${number(toile.viewers)}`,
    `${mib(toile.before.rss)} / ${mib(toile.reporting.memory.rss)}`,
    `${mib(heap(toile.before))} / ${mib(heap(toile.reporting.memory))}`,
    number(toile.reporting.perViewer.rss),
    number(toile.reporting.perViewer.heap),
  ]);
  const pass = ratio.rss <= GOAL_RATIO && ratio.heap <= GOAL_RATIO;
  const complete = [toile, bare].every((result) => result.held === viewers && result.connected.failed === 0);
  const lines = [
    'idle memory: server memory per idle wall viewer vs a bare ws connection',
    `${describeMachine()}; server and load generator ${toile.pinned ? 'pinned to separate cores' : 'not pinned'}; ` +
      `memory after two full GCs, ${settleMs} ms after the last viewer connected; heap = heapUsed + external`,
    '',
    table(rows),
    '',
    `per viewer, Toile / bare: heap ${ratio.heap.toFixed(2)}×, RSS ${ratio.rss.toFixed(2)}× (goal ≤ ${GOAL_RATIO}× on both) ${pass ? 'PASS' : 'FAIL'}`,
    `a heartbeat (every viewer sends one on opening and every 30 s) costs the server ≤ ${number(toile.reporting.microsPerHeartbeat)} µs of CPU ` +
      `and its first one ${number(toile.reporting.perViewer.heap - toile.perViewer.heap)} B of heap per viewer (for information)`,
    complete ? `both servers held all ${number(viewers)} viewers` : 'FAILED connections: a server did not hold every viewer (see the table)',
  ];
  const file = writeResults(ROOT, 'idle-memory', { goals: { heapRatio: GOAL_RATIO, rssRatio: GOAL_RATIO }, heap: 'heapUsed + external', viewers, toile, bare, ratio });
  process.stdout.write(`${lines.join('\n')}\nresults: ${file}\n`);
  return pass && complete ? 0 : 1;
}

await playRole(SELF, { generator, orchestrate });
