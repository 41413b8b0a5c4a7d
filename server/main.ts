import type { FastifyInstance } from 'fastify';
import { buildApp, LISTEN_BACKLOG } from './app.js';
import { ConfigError, parseConfig, type Config } from './config.js';
import { MigrationError } from './db/migrate.js';
import { randomToken } from './services/auth.js';

/** The whole shutdown must end within this, however clients behave. */
const SHUTDOWN_DEADLINE_MS = 9000;

function fail(message: string): never {
  process.stderr.write(`toile: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(`bad configuration: ${error.message}`);
    throw error;
  }

  if (config.role === 'edge') {
    const { buildEdgeApp } = await import('./edge.js');
    const edge = await buildEdgeApp({ config });
    handleSignals(edge);
    await listen(edge, config);
    const primary = config.primaryUrl ?? 'the primary';
    process.stdout.write(`\n  Toile edge is running on port ${config.port}: walls read from Redis, everything else on ${primary}.\n\n`);
    return;
  }

  let app;
  try {
    app = await buildApp({ config });
  } catch (error) {
    if (error instanceof MigrationError) fail(`cannot open the database: ${error.message}`);
    if (error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('SQLITE_')) {
      fail(`cannot open the database in ${config.dataDir}: ${error.message}`);
    }
    throw error;
  }

  // `npm start -- --reset-admin-password`: for the organiser who lost the password printed at first start.
  if (process.argv.includes('--reset-admin-password')) {
    const password = config.adminPassword ?? randomToken().slice(0, 20);
    if (!app.toile.repos.users.byName('admin')) await app.toile.auth.createUser('admin', password, 'admin', 'system');
    else await app.toile.auth.setPassword('admin', password, 'system');
    await app.close();
    process.stdout.write(
      config.adminPassword === undefined
        ? `The admin password is now: ${password}\n`
        : 'The admin password is now the one in TOILE_ADMIN_PASSWORD.\n',
    );
    process.exit(0);
  }

  handleSignals(app);
  await listen(app, config);

  const { bootstrap } = app.toile;
  const base = config.publicUrl;
  const lines = [
    '',
    `  Toile is running.`,
    `  Wall:     ${base}/w/${app.toile.repos.walls.defaultWall()?.slug ?? 'capcomnet'}`,
    `  Console:  ${base}/moderate`,
    `  Form:     ${base}/c/${app.toile.repos.walls.defaultWall()?.slug ?? 'capcomnet'}`,
  ];
  // The generated password is shown once, on the terminal only: it is never written to the log.
  if (bootstrap.generatedPassword !== undefined) {
    lines.push(`  Log in as admin with the password: ${bootstrap.generatedPassword}`, '  (shown only this once; set TOILE_ADMIN_PASSWORD to choose it)');
  } else if (bootstrap.createdAdmin) {
    lines.push('  Log in as admin with the password from TOILE_ADMIN_PASSWORD.');
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

/** SIGTERM and SIGINT: stop accepting, finish requests, close sockets with 1001, exit 0 within the deadline. */
function handleSignals(app: FastifyInstance): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: no new connections, finishing requests, closing sockets with 1001');
    const deadline = setTimeout(() => {
      app.log.warn('shutdown deadline reached; exiting with connections still open');
      process.exit(0);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    app.close().then(
      () => {
        app.log.info('stopped cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        app.log.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function listen(app: FastifyInstance, config: Config): Promise<void> {
  try {
    await app.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG });
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    if (code === 'EADDRINUSE') fail(`PORT: ${config.port} is already in use; set PORT to a free port`);
    if (code === 'EACCES') fail(`PORT: ${config.port} needs privileges; use a port above 1023`);
    throw error;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`toile: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
