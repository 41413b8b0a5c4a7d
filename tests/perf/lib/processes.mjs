// The benchmarks' processes: each role (a server, a load generator) runs in its own Node process, pinned to
// a core of its own where the machine has several, and is driven by the orchestrator through a small RPC
// over the IPC channel.
import { execFileSync, fork } from 'node:child_process';
import { cpus } from 'node:os';

/**
 * Starts `file` in a child process with `args`, and returns its RPC handle. stdout goes nowhere (the
 * server's request log is written as in production, to a sink); stderr is the bench's, for crashes.
 * With BENCH_CPU_PROF_DIR set, each server process (role `server`) writes a V8 CPU profile there.
 */
export function start(file, args, { core, execArgv = [] } = {}) {
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const profile = profileDir && args[0] === 'server' ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = fork(file, args, { execArgv: [...execArgv, ...profile], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const pinned = core === undefined ? false : pin(child.pid, core);
  const pending = new Map();
  let nextId = 0;
  let exitError = null;
  child.on('message', (message) => {
    const waiting = message && pending.get(message.rpc);
    if (!waiting) return;
    pending.delete(message.rpc);
    if (message.error !== undefined) waiting.reject(new Error(`${args[0] ?? file}: ${message.error}`));
    else waiting.resolve(message.result);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // The child says when its handlers are listening (see `serve`); calls wait for that.
  const ready = new Promise((resolve, reject) => {
    child.on('message', (message) => message?.ready && resolve());
    child.once('exit', (code, signal) => reject(new Error(`${args[0] ?? file} exited before it was ready (${signal ?? code})`)));
  });
  ready.catch(() => undefined);
  child.once('exit', (code, signal) => {
    exitError = new Error(`${args[0] ?? file} exited (${signal ?? code})`);
    for (const waiting of pending.values()) waiting.reject(exitError);
    pending.clear();
  });
  return {
    pid: child.pid,
    pinned,
    /** Calls `name` in the child with `input`; resolves with what it returned. */
    async call(name, input) {
      await ready;
      if (exitError) throw exitError;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ rpc: id, name, input });
      });
    },
    /** Asks the child to exit (so that a CPU profile gets written), and kills it if it has not within 5 s. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.send({ exit: true }, () => undefined);
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await exited;
    },
  };
}

/** In a child: answers the orchestrator's calls with `handlers[name](input)`. */
export function serve(handlers) {
  process.on('message', async (message) => {
    if (message?.exit) process.exit(0);
    if (message?.rpc === undefined) return;
    try {
      const handler = handlers[message.name];
      if (!handler) throw new Error(`no handler "${message.name}"`);
      process.send({ rpc: message.rpc, result: (await handler(message.input)) ?? null });
    } catch (error) {
      process.send({ rpc: message.rpc, error: String(error?.stack ?? error) });
    }
  });
  process.send({ ready: true });
}

/** Pins every thread of a process to one core (taskset, from util-linux); false where that is not possible. */
export function pin(pid, core) {
  if (cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** What every server role answers: its CPU time so far and its memory after a full collection. */
export const processHandlers = {
  cpu() {
    const usage = process.cpuUsage();
    return { micros: usage.user + usage.system, at: performance.now() };
  },
  /** Memory as it is, without collecting: for sampling a peak. */
  usage() {
    const usage = process.memoryUsage();
    return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external };
  },
  memory() {
    // Run with --expose-gc: two passes, so that what the first one finalized is collected too.
    globalThis.gc?.();
    globalThis.gc?.();
    const usage = process.memoryUsage();
    return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external, arrayBuffers: usage.arrayBuffers };
  },
};

/** CPU share (1 = one core busy) of a process between two `cpu` samples. */
export const cpuShare = (from, to) => (to.micros - from.micros) / 1000 / (to.at - from.at);
