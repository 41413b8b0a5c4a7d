import type { Db } from '../database.js';
import type { Role } from './users.js';

export interface ApiToken {
  id: number;
  name: string;
  role: Role;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
}

interface TokenRow {
  id: number;
  name: string;
  role: Role;
  created_by: string;
  created_at: string;
  last_used_at: string | null;
}

const toToken = (row: TokenRow): ApiToken => ({
  id: row.id,
  name: row.name,
  role: row.role,
  createdBy: row.created_by,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
});

export function tokensRepository(db: Db) {
  const insert = db.prepare<[string, string, Role, string, string], TokenRow>(
    'INSERT INTO api_tokens (name, token_hash, role, created_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *',
  );
  const byHash = db.prepare<[string], TokenRow>('SELECT * FROM api_tokens WHERE token_hash = ?');
  const touch = db.prepare<[string, number]>('UPDATE api_tokens SET last_used_at = ? WHERE id = ?');
  const all = db.prepare<[], TokenRow>('SELECT * FROM api_tokens ORDER BY id');
  const remove = db.prepare<[number]>('DELETE FROM api_tokens WHERE id = ?');

  return {
    create(name: string, tokenHash: string, role: Role, createdBy: string, at: string): ApiToken {
      return toToken(insert.get(name, tokenHash, role, createdBy, at)!);
    },
    byHash(tokenHash: string): ApiToken | undefined {
      const row = byHash.get(tokenHash);
      return row && toToken(row);
    },
    touch(id: number, at: string): void {
      touch.run(at, id);
    },
    all(): ApiToken[] {
      return all.all().map(toToken);
    },
    remove(id: number): boolean {
      return remove.run(id).changes > 0;
    },
  };
}
