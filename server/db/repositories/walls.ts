import type { Db } from '../database.js';
import { settingsFromStored, type ModerationMode, type Wall, type WallSettings } from '../../domain/wall.js';

interface WallRow {
  id: number;
  slug: string;
  title: string;
  settings: string;
  moderation: ModerationMode;
  is_default: number;
  last_seq: number;
  archived_at: string | null;
  created_at: string;
  updated_at: string;
}

function toWall(row: WallRow): Wall {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    moderation: row.moderation,
    isDefault: row.is_default === 1,
    lastSeq: row.last_seq,
    settings: settingsFromStored(JSON.parse(row.settings) as Partial<WallSettings>),
    archivedAt: row.archived_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function wallsRepository(db: Db) {
  const bySlug = db.prepare<[string], WallRow>('SELECT * FROM walls WHERE slug = ?');
  const byId = db.prepare<[number], WallRow>('SELECT * FROM walls WHERE id = ?');
  const all = db.prepare<[], WallRow>('SELECT * FROM walls ORDER BY id');
  const defaultWall = db.prepare<[], WallRow>('SELECT * FROM walls WHERE is_default = 1 ORDER BY id LIMIT 1');
  const insert = db.prepare<[string, string, string, ModerationMode, number, string, string], WallRow>(
    `INSERT INTO walls (slug, title, settings, moderation, is_default, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  );
  const update = db.prepare<[string, string, ModerationMode, string | null, string, number], WallRow>(
    'UPDATE walls SET title = ?, settings = ?, moderation = ?, archived_at = ?, updated_at = ? WHERE id = ? RETURNING *',
  );
  const count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM walls');
  let routing: Wall[] | null = null;

  return {
    bySlug(slug: string): Wall | undefined {
      const row = bySlug.get(slug);
      return row && toWall(row);
    },
    byId(id: number): Wall | undefined {
      const row = byId.get(id);
      return row && toWall(row);
    },
    all(): Wall[] {
      return all.all().map(toWall);
    },
    defaultWall(): Wall | undefined {
      const row = defaultWall.get() ?? all.get();
      return row && toWall(row);
    },
    count(): number {
      return count.get()?.n ?? 0;
    },
    /**
     * Every wall, for routing, kept in memory until a wall is created or changed (every such write goes
     * through this repository). Their `lastSeq` is not kept current: read a wall by slug for that.
     */
    routable(): Wall[] {
      routing ??= all.all().map(toWall);
      return routing;
    },
    create(input: { slug: string; title: string; moderation: ModerationMode; settings: WallSettings; isDefault?: boolean }, at: string): Wall {
      routing = null;
      const row = insert.get(input.slug, input.title, JSON.stringify(input.settings), input.moderation, input.isDefault ? 1 : 0, at, at);
      return toWall(row!);
    },
    update(wall: Wall, at: string): Wall {
      routing = null;
      return toWall(update.get(wall.title, JSON.stringify(wall.settings), wall.moderation, wall.archivedAt, at, wall.id)!);
    },
  };
}
