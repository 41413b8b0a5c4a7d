// Benchmark: a reconnect storm. N wall viewers lose their connection at once (a venue's Wi-Fi blinks),
// five messages are approved meanwhile, and all N come back at once resuming with `?since=<last seq>&epoch=…`
// (DESIGN.md, "Scale and speed"). Goal: with 10,000 viewers, every one has caught up within 2 s of the start
// of the reconnect; the ratio to a bare `ws` server is printed for information.
//
// Three processes: this one orchestrates; the server (Toile's compiled app on a fresh SQLite file, or the
// baseline) is pinned to one core; the load generator (raw-socket viewers that only count frames, and the
// approvals) to the other. Both servers go through the same steps:
//   1. N viewers connect (Toile: each gets a snapshot, which holds the wall's epoch and seq S);
//   2. the generator drops every socket and waits until all are closed;
//   3. Toile: five seeded messages are approved through the API (seq S+1…S+5), and the orchestrator waits
//      until the wall's seq has reached S+5; the baseline is told to greet every new socket with five
//      events of the size of Toile's, pre-framed (the floor: no lookup, no copy);
//   4. the clock starts, all N reconnect at once (every connection opened in the same moment: a room's
//      phones retry within the same 250–500 ms after a blip, see client/src/shared/reconnecting-socket.ts),
//      and stops when every viewer has seen S+5. Both servers listen with Toile's accept queue (4096):
//      with Node's default (511) the kernel drops the surplus and each retries a second later.
// Then, after a short pause for stragglers, every viewer must have received exactly five frames since the
// reconnect (a viewer sent a snapshot instead would have one), and none may have failed to connect.
//
// Knobs: BENCH_VIEWERS (10000), BENCH_CONCURRENCY (handshakes in flight during the storm; all by default).
import { fileURLToPath } from 'node:url';
import { Approver, bareEvent } from './lib/approver.mjs';
import { serve } from './lib/processes.mjs';
import { playRole, withProcesses } from './lib/roles.mjs';
import { describeMachine, knob, number, table, writeResults } from './lib/report.mjs';
import { WALL } from './lib/servers.mjs';
import { sleep, ViewerPool } from './lib/viewers.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const GOAL_MS = 2000;
const GOAL_VIEWERS = 10_000;
const MISSED = 5;
/** How long to keep counting frames after the last viewer caught up: a snapshot or a duplicate would show. */
const STRAGGLER_MS = 500;

// ---------------------------------------------------------------------------------------------------
// The load generator's process.

function generator() {
  let pool;
  let approver;
  serve({
    async connect({ url, token, count, kind }) {
      pool = new ViewerPool(url, kind === 'toile' ? `/ws/walls/${WALL}` : '/');
      approver = new Approver(url, { token });
      const connected = await pool.connect(count, { firstFrame: kind === 'toile' });
      const seqs = new Set(pool.viewers.map((viewer) => viewer.lastSeq));
      const epochs = new Set(pool.viewers.map((viewer) => viewer.epoch));
      return { ...connected, seqs: [...seqs], epochs: [...epochs] };
    },
    drop: () => pool.drop(),
    async approve({ ids }) {
      for (const id of ids) await approver.approve(id);
    },
    async storm({ seq, concurrency }) {
      const framesBefore = pool.viewers.map((viewer) => viewer.frames);
      // A viewer that never had a snapshot (the baseline's) resumes without a since.
      const query = (viewer) => (viewer.epoch === null ? '' : `?since=${viewer.lastSeq}&epoch=${encodeURIComponent(viewer.epoch)}`);
      const started = performance.now();
      const reconnected = await pool.reconnect({ concurrency, query });
      const caughtUp = await pool.allAt(seq, { since: started, timeoutMs: 30_000 });
      await sleep(STRAGGLER_MS);
      const frames = pool.viewers.map((viewer, i) => viewer.frames - framesBefore[i]);
      return {
        upgradedMs: reconnected.upgradedMs,
        failed: reconnected.failed,
        caughtUpMs: caughtUp.ms,
        behind: caughtUp.behind,
        wrongFrames: frames.filter((count) => count !== MISSED).length,
        open: pool.viewers.filter((viewer) => viewer.open).length,
        eventBytes: pool.viewers[0].lastFrameBytes,
      };
    },
    close() {
      pool?.close();
      approver?.close();
    },
  });
}

// ---------------------------------------------------------------------------------------------------
// Orchestrator.

/** The wall's latest seq, from the public events endpoint. */
async function wallSeq(url) {
  const response = await fetch(`${url}/api/walls/${WALL}/events?since=0`);
  return (await response.json()).latestSeq;
}

function measure(kind, viewers, { concurrency, eventBytes }) {
  return withProcesses(
    SELF,
    kind,
    async (serverProcess, generatorProcess) => {
      const info = await serverProcess.call('info');
      const ids = kind === 'toile' ? await serverProcess.call('seed', { count: MISSED }) : [];
      const connected = await generatorProcess.call('connect', { url: info.url, token: info.token, count: viewers, kind });
      // Toile's viewers all start from the snapshot's seq; the baseline's have none and start from 0.
      const from = kind === 'toile' ? connected.seqs[0] : 0;
      await generatorProcess.call('drop');
      if (kind === 'toile') {
        await generatorProcess.call('approve', { ids });
        // Approved is committed; the wall's feed must have the events too before the storm starts.
        const deadline = performance.now() + 5000;
        while ((await wallSeq(info.url)) < from + MISSED && performance.now() < deadline) await sleep(10);
      } else {
        await serverProcess.call('greet', { frames: Array.from({ length: MISSED }, (_, i) => bareEvent(from + i + 1, i + 1, eventBytes)) });
      }
      const cpuFrom = await serverProcess.call('cpu');
      const storm = await generatorProcess.call('storm', { seq: from + MISSED, concurrency });
      const cpuTo = await serverProcess.call('cpu');
      // The server's CPU time per reconnection: steadier than the elapsed time, which the generator bounds too.
      storm.serverMicrosPerViewer = (cpuTo.micros - cpuFrom.micros) / viewers;
      return {
        kind,
        viewers,
        connected,
        from,
        storm,
        held: await serverProcess.call('viewers'),
      };
    },
  );
}

async function orchestrate() {
  const viewers = knob('BENCH_VIEWERS', 10_000);
  const concurrency = knob('BENCH_CONCURRENCY', viewers);
  const toile = await measure('toile', viewers, { concurrency });
  // The baseline greets with events of the size Toile's were in this run.
  const bare = await measure('bare', viewers, { concurrency, eventBytes: toile.storm.eventBytes });
  const ratio = toile.storm.caughtUpMs / bare.storm.caughtUpMs;

  const ms = (value) => number(value, 1);
  const rows = [['server', 'viewers', 'all upgraded ms', 'all caught up ms', 'server CPU µs/viewer', 'failed', 'behind', 'not 5 frames', 'held after']];
  for (const result of [bare, toile]) {
    rows.push([
      result.kind === 'toile' ? 'Toile, since + epoch' : 'bare ws, 5 pre-framed',
      number(result.viewers),
      ms(result.storm.upgradedMs),
      ms(result.storm.caughtUpMs),
      number(result.storm.serverMicrosPerViewer),
      number(result.storm.failed),
      number(result.storm.behind),
      number(result.storm.wrongFrames),
      number(result.held),
    ]);
  }
  const oneStart = toile.connected.seqs.length === 1 && toile.connected.epochs.length === 1 && toile.connected.epochs[0] !== null;
  const timePass = toile.storm.caughtUpMs <= GOAL_MS;
  const complete = [toile, bare].every((r) => r.connected.failed === 0 && r.storm.failed === 0 && r.storm.behind === 0 && r.storm.wrongFrames === 0);
  const lines = [
    `reconnect storm: N viewers reconnecting at once, ${MISSED} events missed, Toile resuming with since vs a bare ws greeting`,
    `${describeMachine()}; server and load generator ${toile.pinned ? 'pinned to separate cores' : 'not pinned'}; ` +
      `${concurrency >= viewers ? 'all handshakes at once' : `${concurrency} handshakes in flight`}; events of ${toile.storm.eventBytes} bytes`,
    '',
    table(rows),
    '',
    `all caught up, Toile / bare: ${ratio.toFixed(2)}× (for information)`,
    `Toile: ${number(viewers)} viewers caught up in ${ms(toile.storm.caughtUpMs)} ms ` +
      `(goal ≤ ${number(GOAL_MS)} ms at ${number(GOAL_VIEWERS)}${viewers < GOAL_VIEWERS ? '; fewer viewers here: checked all the same' : ''}) ${timePass ? 'PASS' : 'FAIL'}`,
    complete && oneStart
      ? `every viewer reconnected and received exactly the ${MISSED} missed events, no snapshot`
      : `FAILED: connections failed, viewers behind, or a viewer got other than ${MISSED} frames (see the table)` +
        (oneStart ? '' : `; Toile's viewers did not all start from one seq and epoch (${toile.connected.seqs.join(', ')})`),
  ];
  const file = writeResults(ROOT, 'reconnect-storm', { goals: { ms: GOAL_MS, viewers: GOAL_VIEWERS }, viewers, concurrency, toile, bare, ratio });
  process.stdout.write(`${lines.join('\n')}\nresults: ${file}\n`);
  return timePass && complete && oneStart ? 0 : 1;
}

await playRole(SELF, { generator, orchestrate });
