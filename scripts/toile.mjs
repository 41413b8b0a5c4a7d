// `npm run toile -- user add|list|delete|passwd …`: the accounts CLI. Like `npm start`, it compiles the
// server first when its sources are newer than the build, then runs the compiled CLI in this process.
// The build's messages go to stderr, so that what a command prints (a generated password, the user
// list) is all that reaches stdout.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = join(root, 'dist', 'server', 'cli.js');

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((entry) => newest(join(path, entry))));
}

const sources = ['server', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((path) => newest(join(root, path)));
if (!existsSync(compiled) || statSync(compiled).mtimeMs < Math.max(...sources)) {
  process.stderr.write('Building the server…\n');
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: ['ignore', 2, 2] });
}

const { main } = await import(pathToFileURL(compiled).href);
await main(process.argv.slice(2));
