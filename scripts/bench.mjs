// Benchmarks live in tests/perf/ and are not part of `npm test`. The measured suite (fan-out to 10,000
// viewers, memory per viewer, signed-webhook throughput, each as a ratio against a bare baseline) is the
// performance issue's work; until it lands this runs whatever tests/perf holds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const perf = join(root, 'tests', 'perf');
const benches = existsSync(perf) ? readdirSync(perf).filter((f) => f.endsWith('.bench.mjs')) : [];
if (benches.length === 0) {
  process.stdout.write('No benchmarks yet: tests/perf/ is empty until the performance issue lands.\n');
  process.exit(0);
}
for (const bench of benches) {
  process.stdout.write(`\n# ${bench}\n`);
  const result = spawnSync(process.execPath, [join(perf, bench)], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
