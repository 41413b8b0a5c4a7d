// Benchmark: fan-out of approved messages to N wall viewers (1,000, 5,000, 10,000), Toile against a bare
// `ws` server broadcasting the same bytes pre-framed (DESIGN.md, "Scale and speed"). Goals: deliveries per
// server CPU-second ≥ 0.8× the baseline's, and p99 approve → last viewer ≤ 200 ms at 10,000 viewers and
// one approval a second.
//
// Three processes: this one orchestrates; the server (Toile's compiled app on a fresh SQLite file, or the
// baseline) is pinned to one core; the load generator (raw-socket viewers that only count frames, and the
// approvals, so that "approved at" and "received at" are read from one clock) to the other.
// For each N, two phases on the same viewers:
//   load: M = BENCH_DELIVERIES_PER_SECOND / N approvals a second (50,000 deliveries a second asked for),
//         server CPU measured over the phase → deliveries per CPU-second;
//   latency: one approval a second for BENCH_LATENCY_SECONDS → approve (the moderator's HTTP request sent)
//         to receipt at the last viewer (one figure per approval), and at each viewer (per delivery).
// Toile gets real approvals (POST /api/messages/:id/approve with a bearer token, a SQLite commit each);
// the baseline gets `POST /broadcast` with an event of the same shape and size.
//
// Each N runs BENCH_ROUNDS times, Toile and the baseline in alternation on fresh processes; the median
// round's ratio decides, and the latencies at one approval a second are pooled over the rounds.
//
// Knobs: BENCH_VIEWERS (1000,5000,10000), BENCH_ROUNDS (3), BENCH_SECONDS (load phase, 6),
// BENCH_LATENCY_SECONDS (10), BENCH_DELIVERIES_PER_SECOND (50000), BENCH_CPU_PROF_DIR (V8 CPU profiles of
// the server processes).
import { fileURLToPath } from 'node:url';
import { Approver, atRate, bareEvent } from './lib/approver.mjs';
import { cpuShare, serve } from './lib/processes.mjs';
import { playRole, withProcesses } from './lib/roles.mjs';
import { describeMachine, knob, listKnob, number, table, writeResults } from './lib/report.mjs';
import { WALL } from './lib/servers.mjs';
import { sleep, summarize, ViewerPool } from './lib/viewers.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const GOAL_RATIO = 0.8;
const GOAL_P99_MS = 200;
const WARMUP_EVENTS = 5;

// ---------------------------------------------------------------------------------------------------
// The load generator's process.

function generator() {
  let pool;
  let approver;
  let bareSeq = 0;
  serve({
    async connect({ url, count, kind }) {
      pool = new ViewerPool(url, kind === 'toile' ? `/ws/walls/${WALL}` : '/');
      return pool.connect(count, { firstFrame: kind === 'toile' });
    },
    /** Sends `ids.length` approvals at `perSecond`, then waits until every viewer has each, or 5 s more. */
    async run({ url, kind, token, ids, perSecond, eventBytes }) {
      approver ??= new Approver(url, { token });
      pool.resetMeasurements();
      const cpuFrom = process.cpuUsage();
      const started = performance.now();
      // How long the moderator waits for the answer: a broadcast must not hold the server's other work up.
      const answered = [];
      await atRate(ids.length, perSecond, async (i) => {
        const id = ids[i];
        const sentAt = performance.now();
        pool.sent(id, sentAt);
        await (kind === 'toile' ? approver.approve(id) : approver.broadcast(bareEvent(++bareSeq, id, eventBytes)));
        answered.push(performance.now() - sentAt);
      });
      const deadline = performance.now() + 5000;
      const complete = () => pool.events.size === ids.length && [...pool.events.values()].every((e) => e.count === pool.size);
      while (!complete() && performance.now() < deadline) await sleep(5);
      const cpu = process.cpuUsage(cpuFrom);
      return {
        ...pool.latencies(),
        answered: summarize(answered),
        eventBytes: pool.eventBytes,
        seconds: (performance.now() - started) / 1000,
        generatorCpu: (cpu.user + cpu.system) / 1000 / (performance.now() - started),
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

function measure(kind, viewers, { seconds, latencySeconds, deliveriesPerSecond, eventBytes }) {
  return withProcesses(
    SELF,
    kind,
    async (serverProcess, generatorProcess) => {
      const info = await serverProcess.call('info');
      const loadRate = Math.max(1, Math.round(deliveriesPerSecond / viewers));
      const loadEvents = Math.max(10, Math.round(loadRate * seconds));
      const latencyEvents = Math.max(5, Math.round(latencySeconds));
      const total = WARMUP_EVENTS + loadEvents + latencyEvents;
      const ids = kind === 'toile' ? await serverProcess.call('seed', { count: total }) : Array.from({ length: total }, (_, i) => i + 1);
      const connected = await generatorProcess.call('connect', { url: info.url, count: viewers, kind });
      const common = { url: info.url, kind, token: info.token, eventBytes };
      const warmup = await generatorProcess.call('run', { ...common, ids: ids.slice(0, WARMUP_EVENTS), perSecond: 5 });

      const cpuFrom = await serverProcess.call('cpu');
      const load = await generatorProcess.call('run', { ...common, ids: ids.slice(WARMUP_EVENTS, WARMUP_EVENTS + loadEvents), perSecond: loadRate });
      const cpuTo = await serverProcess.call('cpu');
      await sleep(500);
      const latency = await generatorProcess.call('run', { ...common, ids: ids.slice(WARMUP_EVENTS + loadEvents), perSecond: 1 });

      const serverCpuSeconds = (cpuTo.micros - cpuFrom.micros) / 1e6;
      return {
        kind,
        viewers,
        connected,
        loadRate,
        eventBytes: warmup.eventBytes,
        load: { ...load, serverCpu: cpuShare(cpuFrom, cpuTo), deliveriesPerCpuSecond: load.deliveries / serverCpuSeconds },
        latency,
      };
    },
    { execArgv: ['--expose-gc'] },
  );
}

/** The middle value (the lower of the two middle ones for an even count). */
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

async function orchestrate() {
  const viewerCounts = listKnob('BENCH_VIEWERS', [1000, 5000, 10000]);
  const seconds = knob('BENCH_SECONDS', 6);
  const latencySeconds = knob('BENCH_LATENCY_SECONDS', 10);
  const deliveriesPerSecond = knob('BENCH_DELIVERIES_PER_SECOND', 50_000);
  const roundCount = Math.round(knob('BENCH_ROUNDS', 3));
  const runs = [];
  for (const viewers of viewerCounts) {
    // The machine is shared and noisy: Toile and the baseline run in alternation, several rounds, and the
    // median round's ratio decides; latencies are pooled over the rounds.
    const rounds = [];
    for (let round = 0; round < roundCount; round += 1) {
      const toile = await measure('toile', viewers, { seconds, latencySeconds, deliveriesPerSecond });
      // The baseline broadcasts events of the size Toile's were in this run.
      const bare = await measure('bare', viewers, { seconds, latencySeconds, deliveriesPerSecond, eventBytes: toile.eventBytes });
      rounds.push({ toile, bare, ratio: toile.load.deliveriesPerCpuSecond / bare.load.deliveriesPerCpuSecond });
    }
    const ratio = median(rounds.map((round) => round.ratio));
    const middle = rounds.find((round) => round.ratio === ratio);
    const pooled = (kind) => summarize(rounds.flatMap((round) => round[kind].latency.toLastSamples));
    runs.push({ viewers, rounds, ratio, toile: middle.toile, bare: middle.bare, toLast: { toile: pooled('toile'), bare: pooled('bare') } });
  }

  const ms = (value) => number(value, 1);
  const rows = [['viewers', 'server', 'approvals/s', 'deliveries/CPU-s', 'server CPU', 'load: last p50/p99 ms', '1/s: last p50/p99/max ms', '1/s: each p50/p99 ms', 'load: answered p50/p99 ms', 'missing']];
  for (const run of runs) {
    for (const kind of ['bare', 'toile']) {
      const result = run[kind];
      const toLast = run.toLast[kind];
      const missing = run.rounds.reduce((sum, round) => sum + round[kind].load.incomplete + round[kind].latency.incomplete, 0);
      rows.push([
        number(run.viewers),
        kind === 'toile' ? 'Toile' : 'bare ws, pre-framed',
        number(result.loadRate),
        number(result.load.deliveriesPerCpuSecond),
        `${Math.round(result.load.serverCpu * 100)}%`,
        `${ms(result.load.toLast.p50)} / ${ms(result.load.toLast.p99)}`,
        `${ms(toLast.p50)} / ${ms(toLast.p99)} / ${ms(toLast.max)}`,
        `${ms(result.latency.perDelivery.p50)} / ${ms(result.latency.perDelivery.p99)}`,
        `${ms(result.load.answered.p50)} / ${ms(result.load.answered.p99)}`,
        String(missing),
      ]);
    }
  }
  const largest = runs[runs.length - 1];
  const ratioPass = runs.every((run) => run.ratio >= GOAL_RATIO);
  const latencyPass = largest.viewers < 10_000 || largest.toLast.toile.p99 <= GOAL_P99_MS;
  const complete = runs.every((run) =>
    run.rounds.every((round) => round.toile.load.incomplete + round.toile.latency.incomplete === 0 && round.toile.connected.failed === 0),
  );
  const lines = [
    'fan-out: approved messages to N wall viewers vs a bare ws broadcast of the same bytes, pre-framed',
    `${describeMachine()}; server and load generator ${largest.toile.pinned ? 'pinned to separate cores' : 'not pinned'}; ` +
      `${roundCount} rounds per N (Toile, then the baseline), load phase ${seconds} s, latency phase ${latencySeconds} s; events of ${largest.toile.eventBytes} bytes`,
    'the median round per N; "last": approve → the last viewer has it, one figure per approval (1/s: pooled over the rounds); ' +
      '"each": approve → each viewer, one per delivery; "answered": approve → its HTTP answer (the baseline answers after its broadcast)',
    '',
    table(rows),
    '',
    `ratios (deliveries per server CPU-second, Toile / bare, median round): ${runs
      .map((run) => `${number(run.viewers)}: ${run.ratio.toFixed(2)}× (rounds ${run.rounds.map((round) => round.ratio.toFixed(2)).join(', ')})`)
      .join('; ')} (goal ≥ ${GOAL_RATIO}×) ${ratioPass ? 'PASS' : 'FAIL'}`,
    `p99 approve → last viewer at ${number(largest.viewers)} viewers, 1 approval/s: ${ms(largest.toLast.toile.p99)} ms ` +
      `over ${largest.toLast.toile.n} approvals (goal ≤ ${GOAL_P99_MS} ms) ${latencyPass ? 'PASS' : 'FAIL'}`,
    complete ? 'every viewer received every approval' : 'MISSING deliveries or failed connections (see the table)',
  ];
  for (const run of runs) for (const round of run.rounds) for (const kind of ['toile', 'bare']) delete round[kind].latency.toLastSamples;
  const file = writeResults(ROOT, 'fanout', { goals: { ratio: GOAL_RATIO, p99Ms: GOAL_P99_MS }, rounds: roundCount, runs });
  process.stdout.write(`${lines.join('\n')}\nresults: ${file}\n`);
  return ratioPass && latencyPass && complete ? 0 : 1;
}

await playRole(SELF, { generator, orchestrate });
