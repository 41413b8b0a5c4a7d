// `npm run bench`: compiles the server, then runs every tests/perf/*.bench.mjs, each in its own process;
// `npm run bench -- fanout reconnect` runs those whose names contain one of the words.
// Each benchmark measures Toile as a ratio against a bare baseline run on the same machine in the same run,
// prints its table and a final PASS/FAIL line, and exits non-zero below its goal (DESIGN.md, "Scale and
// speed"). Benchmarks are not part of `npm test`: they take a minute and need the machine to themselves.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const perf = join(root, 'tests', 'perf');
const wanted = process.argv.slice(2);
const benches = (existsSync(perf) ? readdirSync(perf).filter((f) => f.endsWith('.bench.mjs')).sort() : []).filter(
  (f) => wanted.length === 0 || wanted.some((word) => f.includes(word)),
);
if (benches.length === 0) {
  process.stdout.write(`No benchmarks in tests/perf/${wanted.length > 0 ? ` matching ${wanted.join(', ')}` : ''}.\n`);
  process.exit(wanted.length > 0 ? 1 : 0);
}

// The benchmarks load the compiled server (dist/server), as `npm start` runs it.
process.stdout.write('Building the server…\n');
execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });

const failed = [];
for (const bench of benches) {
  process.stdout.write(`\n# ${bench}\n`);
  const result = spawnSync(process.execPath, [join(perf, bench)], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) failed.push(bench);
}
if (failed.length > 0) {
  process.stdout.write(`\nBelow goal or failed: ${failed.join(', ')}\n`);
  process.exit(1);
}
