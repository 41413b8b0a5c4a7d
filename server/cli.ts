import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, parseConfig } from './config.js';
import { openDatabase, type Db } from './db/database.js';
import { loadMigrations, migrate, MigrationError } from './db/migrate.js';
import { createRepositories } from './db/repositories/index.js';
import { ROLES, USERNAME_PATTERN, type Role } from './db/repositories/users.js';
import { AppError } from './errors.js';
import { defaultMigrationsDir } from './paths.js';
import { createInProcessHub, type HubEvent } from './realtime/hub.js';
import { createAuth, randomToken } from './services/auth.js';

/**
 * `npm run toile -- user add|list|delete|passwd`: accounts from a terminal, for the organiser setting up
 * before the event or locked out of the console. It opens the same database as the server (found through
 * `TOILE_DATA_DIR`), and works while the server runs: SQLite in WAL mode lets both write, one at a time.
 * Passwords are hashed by the same auth service as the API's, and every change is audited with the
 * actor `cli`. A password is printed only when the CLI generated it, once.
 *
 * Exit codes: 0 done; 1 refused or failed (the user exists, is missing, is the last admin; the database
 * cannot be opened); 2 the command line is wrong (the usage is printed).
 */

const ACTOR = 'cli';

const USAGE = `Usage: npm run toile -- <command>

  user add <name> --role ${ROLES.join('|')} [--password <password>]
      Creates a user. Without --password, a password is generated and printed once.
  user list
      Lists the users with their role and creation date.
  user delete <name>
      Deletes a user and ends their sessions (the last admin cannot be deleted).
  user passwd <name> [--password <password>]
      Sets a new password and ends every session of the user. Without --password, one is generated
      and printed once.

The database is the one in TOILE_DATA_DIR (./data by default), as for the server.
`;

/** A wrong command line: the message, then the usage, and exit code 2. */
class UsageError extends Error {}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

interface Command {
  action: 'add' | 'list' | 'delete' | 'passwd' | 'help';
  name?: string;
  role?: Role;
  password?: string;
}

function parseCommand(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { role: { type: 'string' }, password: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { positionals, values } = parsed;
  if (values.help || positionals.length === 0 || positionals[0] === 'help') return { action: 'help' };
  const [group, action, name, ...rest] = positionals;
  if (group !== 'user') throw new UsageError(`unknown command "${group}"; the commands are "user add|list|delete|passwd"`);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  const needsName = (verb: string) => {
    if (name === undefined) throw new UsageError(`user ${verb} needs a user name`);
    if (!new RegExp(USERNAME_PATTERN).test(name)) {
      throw new UsageError(`the user name "${name}" may hold only letters, digits, ".", "_" and "-" (at most 64)`);
    }
    return name;
  };
  const noOption = (verb: string, option: 'role' | 'password') => {
    if (values[option] !== undefined) throw new UsageError(`user ${verb} takes no --${option}`);
  };
  switch (action) {
    case 'add': {
      const role = values.role;
      if (role === undefined) throw new UsageError(`user add needs --role ${ROLES.join('|')}`);
      if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, not "${role}"`);
      return { action: 'add', name: needsName('add'), role: role as Role, password: values.password };
    }
    case 'list':
      if (name !== undefined) throw new UsageError(`unexpected argument "${name}"`);
      noOption('list', 'role');
      noOption('list', 'password');
      return { action: 'list' };
    case 'delete':
      noOption('delete', 'role');
      noOption('delete', 'password');
      return { action: 'delete', name: needsName('delete') };
    case 'passwd':
      noOption('passwd', 'role');
      return { action: 'passwd', name: needsName('passwd'), password: values.password };
    default:
      throw new UsageError(action === undefined ? 'user needs a command: add, list, delete or passwd' : `unknown command "user ${action}"`);
  }
}

/** Runs one command; returns the exit code. Everything it says goes through `io`, for the tests. */
export async function runCli(argv: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`toile: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (command.action === 'help') {
    io.out(USAGE);
    return 0;
  }

  let db: Db;
  let dataDir: string;
  try {
    dataDir = parseConfig(env).dataDir;
    const file = join(dataDir, 'toile.db');
    // Only `user add` may start a database (accounts made before the first start); the other commands on
    // a directory without one are surely pointed at the wrong place.
    if (command.action !== 'add' && !existsSync(file)) {
      io.err(`toile: there is no database in ${dataDir}; set TOILE_DATA_DIR to the server's data directory\n`);
      return 1;
    }
    db = openDatabase(file);
  } catch (error) {
    if (error instanceof ConfigError) io.err(`toile: bad configuration: ${error.message}\n`);
    else io.err(`toile: cannot open the database: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  try {
    // The same migrations as the server: a new data directory gets its tables, a newer one is refused.
    migrate(db, loadMigrations(defaultMigrationsDir()));
    const repos = createRepositories(db);
    const auth = createAuth({ repos, hub: createInProcessHub<HubEvent>(() => {}), now: () => new Date() });
    switch (command.action) {
      case 'add': {
        const password = command.password ?? generatedPassword();
        const user = await auth.createUser(command.name!, password, command.role!, ACTOR);
        io.out(`Created the ${user.role} "${user.username}" in ${dataDir}.\n`);
        if (command.password === undefined) io.out(`Password (shown only this once): ${password}\n`);
        return 0;
      }
      case 'list': {
        const users = repos.users.all();
        const width = Math.max(4, ...users.map((u) => u.username.length));
        io.out(`${'NAME'.padEnd(width)}  ${'ROLE'.padEnd(9)}  CREATED\n`);
        for (const user of users) io.out(`${user.username.padEnd(width)}  ${user.role.padEnd(9)}  ${user.createdAt}\n`);
        return 0;
      }
      case 'delete':
        auth.deleteUser(command.name!, ACTOR);
        io.out(`Deleted "${command.name}"; their sessions have ended.\n`);
        return 0;
      case 'passwd': {
        const password = command.password ?? generatedPassword();
        const ended = await auth.setPassword(command.name!, password, ACTOR);
        io.out(`Set a new password for "${command.name}"; ${ended.length === 1 ? '1 session has' : `${ended.length} sessions have`} ended.\n`);
        if (command.password === undefined) io.out(`Password (shown only this once): ${password}\n`);
        return 0;
      }
    }
  } catch (error) {
    // The service's refusals carry a message written for people; anything else is reported without detail
    // that could hold a password (argon2 and SQLite errors never do, but a stack trace is no help here).
    if (error instanceof AppError && error.code === 'weak_password') io.err('toile: --password must be at least 8 characters long\n');
    else if (error instanceof AppError) io.err(`toile: ${error.message}\n`);
    else if (error instanceof MigrationError) io.err(`toile: cannot open the database: ${error.message}\n`);
    else io.err(`toile: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    db.close();
  }
}

/** 20 characters of base64url: 120 bits, like the admin password made at first start. */
const generatedPassword = () => randomToken().slice(0, 20);

/**
 * Runs the CLI as this process: `scripts/toile.mjs` (behind `npm run toile`) calls it with the arguments
 * after `--`, and `node dist/server/cli.js …` runs it directly.
 */
export async function main(argv: string[]): Promise<void> {
  const code = await runCli(argv, process.env, {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
  process.exitCode = code;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  await main(process.argv.slice(2));
}
