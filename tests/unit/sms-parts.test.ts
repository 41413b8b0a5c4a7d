import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/database.js';
import { loadMigrations, migrate } from '../../server/db/migrate.js';
import { createRepositories } from '../../server/db/repositories/index.js';
import { defaultMigrationsDir } from '../../server/paths.js';
import { createInProcessHub, type HubEvent } from '../../server/realtime/hub.js';
import type { ServiceContext } from '../../server/services/context.js';
import { createIngest } from '../../server/services/ingest.js';
import { createSmsParts, joinSmsParts, type InboundSmsPart } from '../../server/services/sms-parts.js';
import { createSmsReceiver, type InboundSms } from '../../server/services/sms.js';
import { createWalls } from '../../server/services/walls.js';

describe('joining the texts of a long SMS', () => {
  it('joins the parts in part order without adding anything between them', () => {
    expect(joinSmsParts([{ part: 3, text: 'mid-' }, { part: 1, text: 'Bonjour à t' }, { part: 2, text: 'ous, on se voit à ' }], 3)).toEqual({
      text: 'Bonjour à tous, on se voit à mid-',
      missing: [],
    });
    expect(joinSmsParts([{ part: 1, text: 'Bonjour à t' }, { part: 2, text: 'ous' }], 2).text).toBe('Bonjour à tous');
  });

  it('marks each missing part where it belongs, the last one included', () => {
    expect(joinSmsParts([{ part: 2, text: 'B' }], 4)).toEqual({ text: '[…]B[…][…]', missing: [1, 3, 4] });
  });

  it('keeps the first of two deliveries of the same part', () => {
    expect(joinSmsParts([{ part: 1, text: 'A' }, { part: 1, text: 'a' }, { part: 2, text: 'B' }], 2).text).toBe('AB');
  });
});

describe('reassembling long SMS', () => {
  let dir: string;
  let db: Db;
  let clock: number;
  let handed: InboundSms[];
  /** Makes the next hand-over fail as a busy database would. */
  let failNext: boolean;

  /** The real SMS path on a fresh database, watched: these tests are about what it is handed. */
  function parts() {
    const ctx: ServiceContext = {
      repos: createRepositories(db),
      hub: createInProcessHub<HubEvent>(() => {}),
      now: () => new Date(clock),
    };
    createWalls(ctx).create({ slug: 'capcomnet', title: 'Cap’Com', hashtags: [], moderation: 'pre' }, 'system', true);
    const receive = createSmsReceiver(ctx, createIngest(ctx), { perSenderPerMinute: 100 });
    return createSmsParts({
      repos: ctx.repos,
      now: ctx.now,
      receive: async (sms, options) => {
        if (failNext) {
          failNext = false;
          throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
        }
        handed.push(sms);
        return receive(sms, options);
      },
      source: 'vonage',
      timeoutSeconds: 120,
    });
  }

  function part(n: number, text: string, overrides: Partial<InboundSmsPart> = {}): InboundSmsPart {
    return { source: 'vonage', providerMessageId: `id-${n}`, from: '447700900001', to: '447700900000', ref: 'r1', total: 3, part: n, text, raw: { n }, ...overrides };
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'toile-parts-'));
    db = openDatabase(join(dir, 'toile.db'));
    migrate(db, loadMigrations(defaultMigrationsDir()));
    clock = Date.parse('2026-05-04T10:00:00Z');
    handed = [];
    failNext = false;
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands over one message, under its first part’s id, when the last part arrives in any order', async () => {
    const service = parts();
    expect(await service.accept(part(3, 'C'))).toEqual({ kind: 'waiting' });
    expect(await service.accept(part(1, 'A'))).toEqual({ kind: 'waiting' });
    expect((await service.accept(part(2, 'B'))).kind).toBe('assembled');
    expect(handed).toEqual([
      { source: 'vonage', providerMessageId: 'id-1', from: '447700900001', to: '447700900000', text: 'ABC', raw: [{ n: 1 }, { n: 2 }, { n: 3 }] },
    ]);
  });

  it('assembles a group once when its parts and their retries arrive at the same time', async () => {
    const service = parts();
    const outcomes = await Promise.all([3, 1, 2, 2, 3, 1].map((n) => service.accept(part(n, String(n)))));
    expect(outcomes.filter((o) => o.kind === 'assembled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'duplicate-part')).toHaveLength(3);
    expect(handed.map((sms) => sms.text)).toEqual(['123']);
  });

  it('keeps apart the parts of two senders who use the same reference, and of two totals', async () => {
    const service = parts();
    await service.accept(part(1, 'A', { total: 2 }));
    await service.accept(part(2, 'b', { providerMessageId: 'other-2', from: '447700900002', total: 2 }));
    await service.accept(part(2, 'x', { providerMessageId: 'three-2', total: 3 }));
    expect(handed).toEqual([]);
    await service.accept(part(2, 'B', { total: 2 }));
    expect(handed.map((sms) => sms.text)).toEqual(['AB']);
  });

  it('hands over what arrived, held as incomplete, once the first part waited past the timeout', async () => {
    const service = parts();
    await service.accept(part(1, 'A'));
    clock += 60_000;
    await service.accept(part(3, 'C'));
    clock += 59_000;
    expect(await service.sweep()).toBe(0);
    clock += 1_000;
    expect(await service.sweep()).toBe(1);
    expect(handed).toMatchObject([{ providerMessageId: 'id-1', text: 'A[…]C', hold: ['incomplete'] }]);
    expect(await service.sweep()).toBe(0);

    // The straggler is kept too: alone, it waits and is then held for a moderator in its turn.
    await service.accept(part(2, 'B'));
    clock += 120_000;
    await service.sweep();
    expect(handed.map((sms) => sms.text)).toEqual(['A[…]C', '[…]B[…]']);
  });

  it('hands a group over again when the hand-over failed after its parts were marked', async () => {
    const service = parts();
    await service.accept(part(1, 'A', { total: 2 }));
    failNext = true;
    await expect(service.accept(part(2, 'B', { total: 2 }))).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    // The provider's retry finds the part stored; the message is the sweep's to deliver.
    expect(await service.accept(part(2, 'B', { total: 2 }))).toEqual({ kind: 'duplicate-part' });
    expect(await service.sweep()).toBe(0);
    clock += 10_000;
    expect(await service.sweep()).toBe(1);
    expect(handed).toMatchObject([{ providerMessageId: 'id-1', text: 'AB' }]);
    expect(handed[0]!.hold).toBeUndefined();
    clock += 60_000;
    expect(await service.sweep()).toBe(0);
  });
});
