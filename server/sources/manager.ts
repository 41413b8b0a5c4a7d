import type { FastifyBaseLogger } from 'fastify';
import type { StoredSource } from '../db/repositories/sources.js';
import type { Wall } from '../domain/wall.js';
import { notFound, wallArchived } from '../errors.js';
import type { ServiceContext } from '../services/context.js';
import type { SocialIntake } from '../services/social.js';
import { parseSourceSettings, publicSourceSettings, sourceSecrets, type SourceInput, type SourceSettings } from './settings.js';
import type { SocialPost, SourceContext, SourceKind, SourceRunner, SourceTiming } from './types.js';

/** What the API shows of a source: its settings without credentials, and how it is doing. */
export interface SourceView {
  id: number;
  wall: string;
  kind: SourceKind;
  settings: Record<string, unknown>;
  paused: boolean;
  /** `running` and healthy; `failing` since its last error; `paused` by an admin; `stopped` while the app shuts down or its wall is archived. */
  state: 'running' | 'failing' | 'paused' | 'stopped';
  lastPollAt: string | null;
  lastEventAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  cursor: string | null;
  itemsIngested: number;
  createdAt: string;
}

export type RunnerFactories = { [K in SourceKind]: (settings: never) => SourceRunner };

/** One running source: its stop switch and what the API shows of its health, kept in memory. */
interface Running {
  controller: AbortController;
  done: Promise<void>;
  failing: boolean;
  lastPollAt: string | null;
  /** Consecutive failures of the runner itself, for the restart backoff. */
  crashes: number;
}

const MAX_ERROR_LENGTH = 500;

/** An error as the API and the log may show it: one line, bounded, with the source's credentials cut out. */
export function describeSourceError(error: unknown, secrets: readonly string[]): string {
  let text = error instanceof Error ? error.message || error.name : typeof error === 'string' ? error : 'unknown error';
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
  if (cause !== '' && !text.includes(cause)) text = `${text} (${cause})`;
  for (const secret of secrets) text = text.split(secret).join('•••');
  text = text.replace(/[\u0000-\u001F\u007F]+/g, ' ').trim();
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

/**
 * Runs every social source of every wall under the app's lifecycle: started on boot, stopped on close,
 * restarted with a backoff when a runner fails, paused, resumed and deleted through the API. Each source
 * runs apart: an instance that does not answer only makes its own source `failing`.
 */
export class SourceManager {
  private readonly running = new Map<number, Running>();
  private closed = false;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly intake: SocialIntake,
    private readonly runners: RunnerFactories,
    private readonly timing: SourceTiming,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Starts every source that is not paused, on walls that are not archived; called once the app is ready. */
  startAll(): void {
    for (const source of this.ctx.repos.sources.all()) {
      if (this.startable(source)) this.start(source);
    }
  }

  /** Stops the sources of a wall that was just archived, and waits for them to finish what they were storing. */
  async stopWall(wall: Wall): Promise<void> {
    await Promise.all(this.ctx.repos.sources.byWall(wall.id).map((source) => this.stop(source.id)));
  }

  /** Starts again the sources of a wall that was just unarchived (those not paused), from their stored cursors. */
  startWall(wall: Wall): void {
    if (this.closed) return;
    for (const source of this.ctx.repos.sources.byWall(wall.id)) {
      if (this.startable(source) && !this.running.has(source.id)) this.start(source);
    }
  }

  /** Stops every source and waits for them to finish what they were storing. */
  async close(): Promise<void> {
    this.closed = true;
    const stopping = [...this.running.values()];
    for (const running of stopping) running.controller.abort();
    await Promise.all(stopping.map((running) => running.done));
    this.running.clear();
  }

  list(wall: Wall): SourceView[] {
    return this.ctx.repos.sources.byWall(wall.id).map((source) => this.view(source));
  }

  create(wall: Wall, input: SourceInput, actor: string): SourceView {
    if (wall.archivedAt !== null) throw wallArchived(wall.slug);
    const settings: SourceSettings = parseSourceSettings(input);
    const { repos } = this.ctx;
    const now = this.ctx.now().toISOString();
    const source = repos.transaction(() => {
      const created = repos.sources.create(wall.id, input.kind, { ...settings }, now, actor);
      repos.audit.append({ actor, action: 'source-create', wallId: wall.id, targetType: 'source', targetId: created.id, detail: { kind: input.kind, ...publicSourceSettings(input.kind, created.settings) } }, now);
      return created;
    });
    if (!this.closed) this.start(source);
    return this.view(source);
  }

  setPaused(wall: Wall, id: number, paused: boolean, actor: string): SourceView {
    const source = this.find(wall, id);
    const { repos } = this.ctx;
    const now = this.ctx.now().toISOString();
    repos.transaction(() => {
      repos.sources.setPaused(id, paused);
      repos.audit.append({ actor, action: paused ? 'source-pause' : 'source-resume', wallId: wall.id, targetType: 'source', targetId: id }, now);
    });
    if (paused) this.stop(id);
    else if (!this.running.has(id) && !this.closed && this.startable({ ...source, paused })) this.start({ ...source, paused });
    return this.view(this.find(wall, id));
  }

  async delete(wall: Wall, id: number, actor: string): Promise<void> {
    this.find(wall, id);
    // Stopped first, so that nothing it was reading is stored for a source that no longer exists.
    await this.stop(id);
    const { repos } = this.ctx;
    const now = this.ctx.now().toISOString();
    repos.transaction(() => {
      repos.sources.delete(id);
      repos.audit.append({ actor, action: 'source-delete', wallId: wall.id, targetType: 'source', targetId: id }, now);
    });
  }

  private find(wall: Wall, id: number): StoredSource {
    const source = this.ctx.repos.sources.byId(id);
    if (!source || source.wallId !== wall.id) throw notFound(`Source ${id} of wall "${wall.slug}"`);
    return source;
  }

  private view(source: StoredSource): SourceView {
    const running = this.running.get(source.id);
    const state: SourceView['state'] = source.paused ? 'paused' : running === undefined ? 'stopped' : running.failing ? 'failing' : 'running';
    return {
      id: source.id,
      wall: source.wallSlug,
      kind: source.kind,
      settings: publicSourceSettings(source.kind, source.settings),
      paused: source.paused,
      state,
      lastPollAt: running?.lastPollAt ?? null,
      lastEventAt: source.lastEventAt,
      lastError: source.lastError,
      lastErrorAt: source.lastErrorAt,
      cursor: source.cursor,
      itemsIngested: source.itemsIngested,
      createdAt: source.createdAt,
    };
  }

  /** Whether a source should run: not paused by an admin, and its wall not archived (an archive takes nothing new). */
  private startable(source: StoredSource): boolean {
    return !source.paused && this.ctx.repos.walls.byId(source.wallId)?.archivedAt === null;
  }

  private stop(id: number): Promise<void> {
    const running = this.running.get(id);
    if (!running) return Promise.resolve();
    running.controller.abort();
    this.running.delete(id);
    return running.done;
  }

  private start(source: StoredSource): void {
    const controller = new AbortController();
    const running: Running = { controller, done: Promise.resolve(), failing: source.lastError !== null, lastPollAt: null, crashes: 0 };
    this.running.set(source.id, running);
    running.done = this.supervise(source, running);
  }

  /** Runs the source's runner again and again until stopped, waiting longer after each crash. */
  private async supervise(source: StoredSource, running: Running): Promise<void> {
    const { signal } = running.controller;
    const context = this.context(source, running);
    while (!signal.aborted) {
      try {
        const runner = (this.runners[source.kind] as (settings: unknown) => SourceRunner)(source.settings);
        await runner(context);
        if (signal.aborted) return;
        throw new Error('the source stopped by itself');
      } catch (error) {
        if (signal.aborted) return;
        context.error(error);
        running.crashes += 1;
        await context.sleep(Math.min(this.timing.maxBackoffMs, this.timing.backoffMs * 2 ** (running.crashes - 1)));
      }
    }
  }

  private context(source: StoredSource, running: Running): SourceContext {
    const { signal } = running.controller;
    const { repos } = this.ctx;
    const secrets = sourceSecrets(source.settings);
    const log = this.log.child({ source: source.id, kind: source.kind, wall: source.wallSlug });
    let cursor = source.cursor;
    const live = () => !signal.aborted;
    const now = () => this.ctx.now();
    return {
      signal,
      timing: this.timing,
      log,
      now,
      cursor: () => cursor,
      ingest: (posts: SocialPost[], next: string | null) => {
        if (!live()) return;
        const stored = this.intake.store(source, posts, next);
        cursor = next;
        if (stored > 0) log.info({ stored }, 'stored new posts');
      },
      update: (post: SocialPost) => {
        if (live()) this.intake.update(source, post);
      },
      retract: (remoteId: string) => {
        if (live() && this.intake.retract(source, remoteId)) log.info('a post was deleted by its author');
      },
      polled: () => {
        if (!live()) return;
        running.lastPollAt = now().toISOString();
        running.crashes = 0;
        if (running.failing) {
          running.failing = false;
          repos.sources.recordError(source.id, null, null);
        }
      },
      error: (error: unknown) => {
        if (!live()) return;
        const message = describeSourceError(error, secrets);
        running.failing = true;
        repos.sources.recordError(source.id, message, now().toISOString());
        log.warn({ error: message }, 'source failed; it will retry');
      },
      sleep: (ms: number) =>
        new Promise<void>((resolve) => {
          if (signal.aborted) return resolve();
          const timer = setTimeout(done, ms);
          function done() {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            resolve();
          }
          signal.addEventListener('abort', done, { once: true });
        }),
    };
  }
}
