import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root, found by walking up from this file to the folder holding package.json. The server
 * runs both from source (server/) and compiled (dist/server/), so fixed `../..` paths would be wrong in
 * one of the two.
 */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the server code');
    dir = parent;
  }
  return dir;
}

export const defaultMigrationsDir = (): string => join(projectRoot(), 'migrations');
export const defaultClientDir = (): string => join(projectRoot(), 'dist', 'client');
