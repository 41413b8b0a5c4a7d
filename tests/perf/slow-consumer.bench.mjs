// Benchmark: one paused viewer among 50 while a wall gets 200 approvals a second (DESIGN.md, "Scale and
// speed"). Goals: the server's RSS grows by ≤ 50 MiB over the run, and the 49 other viewers' p99 from
// approve to the last of them stays within 1.2× of the same run with nobody paused: that reading run is this
// benchmark's baseline. Two p99 both under 20 ms count as unchanged whatever their ratio: at that scale the
// difference is the scheduler's, not the paused viewer's.
//
// Three processes: this one orchestrates; Toile's compiled app on a fresh SQLite file (run with
// --expose-gc) is pinned to one core; the load generator (50 raw-socket viewers and the approvals, so that
// "approved at" and "received at" are read from one clock) to the other. Each of the two runs starts a
// fresh server, seeds it with the pending messages it will approve (outside the measure: seeding
// thousands takes a while), connects 50 viewers, approves a few messages to warm up, then:
//   - reads the server's memory (two full collections: the `memory` RPC), and samples its RSS meanwhile;
//   - paused run only: stops reading on viewer 0, whose socket buffers fill as a stalled phone's would;
//   - approves BENCH_APPROVALS_PER_SECOND × BENCH_SECONDS messages at that rate (open loop), then waits
//     for the reading viewers to have them all;
//   - reads the memory again, the server's count of wall viewers, and `toile_slow_viewers_dropped_total`
//     from GET /metrics (an admin's API token is accepted there).
// Toile's slow-viewer policy may close the paused viewer; its socket, paused, cannot see that, so the
// server's viewer count and the metric tell it.
//
// Knobs: BENCH_SECONDS (40), BENCH_APPROVALS_PER_SECOND (200), BENCH_VIEWERS (50, one of them paused).
import { fileURLToPath } from 'node:url';
import { Approver, atRate } from './lib/approver.mjs';
import { serve } from './lib/processes.mjs';
import { playRole, withProcesses } from './lib/roles.mjs';
import { describeMachine, knob, number, table, writeResults } from './lib/report.mjs';
import { WALL } from './lib/servers.mjs';
import { sleep, ViewerPool } from './lib/viewers.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const GOAL_GROWTH_MIB = 50;
const GOAL_P99_RATIO = 1.2;
const P99_FLOOR_MS = 20;
const WARMUP_EVENTS = 5;
const PAUSED = 1;

// ---------------------------------------------------------------------------------------------------
// The load generator's process.

function generator() {
  let pool;
  let approver;
  let paused = [];
  serve({
    async connect({ url, token, count }) {
      pool = new ViewerPool(url, `/ws/walls/${WALL}`);
      approver = new Approver(url, { token });
      return pool.connect(count);
    },
    pause() {
      paused = pool.pause(PAUSED);
    },
    /** Sends `ids.length` approvals at `perSecond`, then waits until every reading viewer has each, or 5 s more. */
    async run({ ids, perSecond }) {
      pool.resetMeasurements();
      const reading = pool.size - paused.length;
      const started = performance.now();
      await atRate(ids.length, perSecond, (i) => {
        pool.sent(ids[i]);
        return approver.approve(ids[i]);
      });
      const approvedSeconds = (performance.now() - started) / 1000;
      const deadline = performance.now() + 5000;
      const complete = () => pool.events.size === ids.length && [...pool.events.values()].every((e) => e.count >= reading);
      while (!complete() && performance.now() < deadline) await sleep(5);
      // The paused viewers receive nothing, so each event is complete once the reading ones have it.
      return {
        ...pool.latencies(reading),
        reading,
        approvedSeconds,
        pausedOpen: paused.filter((viewer) => viewer.open).length,
        closed: pool.closed,
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

const heap = (memory) => memory.heapUsed + memory.external;

/** `toile_slow_viewers_dropped_total` from the server's /metrics, or null where it cannot be read. */
async function slowViewersDropped({ url, token }) {
  try {
    const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) return null;
    const line = (await response.text()).split('\n').find((l) => l.startsWith('toile_slow_viewers_dropped_total '));
    return line === undefined ? null : Number(line.split(' ')[1]);
  } catch {
    return null;
  }
}

function measure(pausedRun, { viewers, seconds, perSecond }) {
  return withProcesses(
    SELF,
    'toile',
    async (serverProcess, generatorProcess) => {
      const info = await serverProcess.call('info');
      const approvals = Math.round(perSecond * seconds);
      // Posts as long as Toile keeps (about 1.3 KB on the wire): the paused viewer's share fills the kernel's
      // buffers (about 4 MiB on loopback here) within the run, and what comes after is the server's to hold.
      const ids = await serverProcess.call('seed', { count: WARMUP_EVENTS + approvals, long: true });
      const connected = await generatorProcess.call('connect', { url: info.url, token: info.token, count: viewers });
      await generatorProcess.call('run', { ids: ids.slice(0, WARMUP_EVENTS), perSecond: 5 });

      const before = await serverProcess.call('memory');
      if (pausedRun) await generatorProcess.call('pause');
      // The peak matters as much as the end: memory is sampled (without collecting) every 250 ms meanwhile.
      const peak = { rss: before.rss };
      let running = true;
      const sampling = (async () => {
        while (running) {
          const usage = await serverProcess.call('usage');
          peak.rss = Math.max(peak.rss, usage.rss);
          await sleep(250);
        }
      })();
      const run = await generatorProcess.call('run', { ids: ids.slice(WARMUP_EVENTS), perSecond });
      running = false;
      await sampling;
      const after = await serverProcess.call('memory');
      const held = await serverProcess.call('viewers');
      const dropped = await slowViewersDropped(info);
      return {
        paused: pausedRun ? PAUSED : 0,
        viewers,
        connected,
        approvals,
        run,
        held,
        dropped,
        before,
        after,
        growth: { rss: after.rss - before.rss, heap: heap(after) - heap(before), peakRss: peak.rss - before.rss },
      };
    },
    { execArgv: ['--expose-gc'] },
  );
}

async function orchestrate() {
  const seconds = knob('BENCH_SECONDS', 40);
  const perSecond = knob('BENCH_APPROVALS_PER_SECOND', 200);
  const viewers = knob('BENCH_VIEWERS', 50);
  const reading = await measure(false, { viewers, seconds, perSecond });
  const paused = await measure(true, { viewers, seconds, perSecond });

  const ms = (value) => number(value, 1);
  const mib = (bytes) => number(bytes / 2 ** 20, 1);
  const rows = [
    ['run', 'approvals/s done', 'per delivery p50/p99 ms', 'to last p50/p99 ms', 'missing', 'RSS growth peak/end MiB', 'heap growth MiB', 'wall viewers after', 'slow dropped'],
  ];
  for (const result of [reading, paused]) {
    rows.push([
      result.paused ? `${result.paused} paused, ${result.run.reading} reading` : `all ${result.viewers} reading`,
      number(result.approvals / result.run.approvedSeconds),
      `${ms(result.run.perDelivery.p50)} / ${ms(result.run.perDelivery.p99)}`,
      `${ms(result.run.toLast.p50)} / ${ms(result.run.toLast.p99)}`,
      String(result.run.incomplete),
      `${mib(result.growth.peakRss)} / ${mib(result.growth.rss)}`,
      mib(result.growth.heap),
      number(result.held),
      result.dropped === null ? '—' : number(result.dropped),
    ]);
  }
  const growthMiB = Math.max(paused.growth.rss, paused.growth.peakRss) / 2 ** 20;
  const growthPass = growthMiB <= GOAL_GROWTH_MIB;
  const p99 = { reading: reading.run.toLast.p99, paused: paused.run.toLast.p99 };
  const p99Ratio = p99.paused / p99.reading;
  const underFloor = p99.reading < P99_FLOOR_MS && p99.paused < P99_FLOOR_MS;
  const latencyPass = underFloor || p99Ratio <= GOAL_P99_RATIO;
  const complete = [reading, paused].every((result) => result.run.incomplete === 0 && result.connected.failed === 0);
  // Dropped by the server: it no longer counts the paused viewer, or the viewer saw its socket close.
  const disconnected = paused.held < viewers || paused.run.pausedOpen < PAUSED;
  const lines = [
    `slow consumer: ${PAUSED} paused viewer among ${viewers} during ${number(perSecond)} approvals/s, against the same run with all reading`,
    `${describeMachine()}; server and load generator ${paused.pinned ? 'pinned to separate cores' : 'not pinned'}; ` +
      `${seconds} s of approvals per run; memory after two full GCs; heap = heapUsed + external`,
    '',
    table(rows),
    '',
    `paused viewer: ${disconnected ? 'disconnected by the server' : 'still connected at the end'} ` +
      `(server holds ${number(paused.held)} of ${viewers} wall viewers; the paused socket ${paused.run.pausedOpen ? 'is still open' : 'was closed'}` +
      `${paused.dropped === null ? '' : `; toile_slow_viewers_dropped_total ${paused.dropped}`})`,
    `server RSS growth with a paused viewer: ${mib(paused.growth.peakRss)} MiB at the peak, ${mib(paused.growth.rss)} MiB at the end ` +
      `(heap ${mib(paused.growth.heap)} MiB) (goal ≤ ${GOAL_GROWTH_MIB} MiB) ${growthPass ? 'PASS' : 'FAIL'}`,
    `others' p99 approve → last viewer: ${ms(p99.paused)} ms paused vs ${ms(p99.reading)} ms all reading, ${p99Ratio.toFixed(2)}× ` +
      `(goal ≤ ${GOAL_P99_RATIO}×${underFloor ? `; both under ${P99_FLOOR_MS} ms: unchanged` : ''}) ${latencyPass ? 'PASS' : 'FAIL'}`,
    complete ? 'every reading viewer received every approval' : 'MISSING deliveries or failed connections (see the table)',
  ];
  const file = writeResults(ROOT, 'slow-consumer', {
    goals: { growthMiB: GOAL_GROWTH_MIB, p99Ratio: GOAL_P99_RATIO, p99FloorMs: P99_FLOOR_MS },
    heap: 'heapUsed + external',
    reading,
    paused,
    p99Ratio,
    disconnected,
  });
  process.stdout.write(`${lines.join('\n')}\nresults: ${file}\n`);
  return growthPass && latencyPass && complete ? 0 : 1;
}

await playRole(SELF, { generator, orchestrate });
