import type { Db } from '../database.js';
import { auditRepository } from './audit.js';
import { contributorsRepository } from './contributors.js';
import { eventsRepository } from './events.js';
import { mediaRepository } from './media.js';
import { messagesRepository } from './messages.js';
import { metaRepository } from './meta.js';
import { sessionsRepository } from './sessions.js';
import { smsPartsRepository } from './sms-parts.js';
import { tokensRepository } from './tokens.js';
import { usersRepository } from './users.js';
import { wallsRepository } from './walls.js';

/** Every SQL statement Toile runs lives in one of these, prepared once per database handle. */
export function createRepositories(db: Db) {
  return {
    db,
    /** Runs `fn` in one transaction: all its writes commit together or not at all. */
    transaction<T>(fn: () => T): T {
      return db.transaction(fn)();
    },
    audit: auditRepository(db),
    contributors: contributorsRepository(db),
    events: eventsRepository(db),
    media: mediaRepository(db),
    messages: messagesRepository(db),
    meta: metaRepository(db),
    sessions: sessionsRepository(db),
    smsParts: smsPartsRepository(db),
    tokens: tokensRepository(db),
    users: usersRepository(db),
    walls: wallsRepository(db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
