import type { Db } from '../database.js';

export interface MediaFile {
  name: string;
  contentType: string;
  size: number;
}

interface MediaRow {
  name: string;
  content_type: string;
  size: number;
}

const toFile = (row: MediaRow): MediaFile => ({ name: row.name, contentType: row.content_type, size: row.size });

/** Files fetched from providers or uploaded for walls, stored under data/media. */
export function mediaRepository(db: Db) {
  const insert = db.prepare<[string, string, number, string]>(
    'INSERT OR IGNORE INTO media_files (name, content_type, size, created_at) VALUES (?, ?, ?, ?)',
  );
  const byName = db.prepare<[string], MediaRow>('SELECT name, content_type, size FROM media_files WHERE name = ?');
  const approved = db.prepare<[string], MediaRow>(
    `SELECT f.name, f.content_type, f.size FROM media_files f
     WHERE f.name = ? AND (
       EXISTS (
         SELECT 1 FROM message_media mm JOIN messages m ON m.id = mm.message_id
         WHERE mm.name = f.name AND m.status = 'approved')
       OR EXISTS (SELECT 1 FROM wall_images wi WHERE wi.name = f.name))`,
  );
  const addWallImage = db.prepare<[number, string, string, string]>(
    'INSERT OR IGNORE INTO wall_images (wall_id, name, created_by, created_at) VALUES (?, ?, ?, ?)',
  );
  return {
    add(file: MediaFile, at: string): void {
      insert.run(file.name, file.contentType, file.size, at);
    },
    /** Any stored file, for moderators. */
    byName(name: string): MediaFile | undefined {
      const row = byName.get(name);
      return row && toFile(row);
    },
    /** Records a picture uploaded for a wall's look (logo, background, sponsor): public from now on. */
    addWallImage(wallId: number, name: string, createdBy: string, at: string): void {
      addWallImage.run(wallId, name, createdBy, at);
    },
    /** A file the public may see: carried by at least one approved message, or uploaded for a wall. */
    publicByName(name: string): MediaFile | undefined {
      const row = approved.get(name);
      return row && toFile(row);
    },
  };
}
