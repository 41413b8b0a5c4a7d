// Production start: builds whatever is older than its sources (the server with tsc, the web client with
// Vite), then runs the compiled server in this same process, so that signals reach it directly.
// `--edge` (npm run start:edge) starts a cluster edge: the same as TOILE_ROLE=edge.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);

function newest(paths) {
  let latest = 0;
  const visit = (path) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry));
    } else {
      latest = Math.max(latest, stat.mtimeMs);
    }
  };
  paths.forEach((path) => visit(join(root, path)));
  return latest;
}

function stale(output, sources) {
  const target = join(root, output);
  return !existsSync(target) || statSync(target).mtimeMs < newest(sources);
}

if (stale('dist/server/main.js', ['server', 'tsconfig.json', 'tsconfig.build.json', 'package.json'])) {
  process.stdout.write('Building the server…\n');
  execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
if (stale('dist/client/wall.html', ['client', 'vite.config.ts', 'package.json'])) {
  process.stdout.write('Building the web client…\n');
  execFileSync(bin('vite'), ['build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
}

if (process.argv.includes('--edge')) process.env.TOILE_ROLE = 'edge';
await import(join(root, 'dist', 'server', 'main.js'));
