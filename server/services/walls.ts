import { normalizeHashtag } from '../domain/normalize.js';
import { DEFAULT_WALL_SETTINGS, publicWall, type ModerationMode, type Wall, type WallSettings } from '../domain/wall.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { wallChannel } from '../realtime/hub.js';
import type { ServiceContext } from './context.js';

export interface WallInput {
  slug: string;
  title: string;
  hashtags?: string[];
  moderation?: ModerationMode;
}

export type WallPatch = Partial<Omit<WallSettings, 'hashtags'>> & {
  title?: string;
  moderation?: ModerationMode;
  hashtags?: string[];
};

function hashtags(values: string[]): string[] {
  const tags = values.map((value) => {
    const tag = normalizeHashtag(value);
    if (tag === '') throw badRequest('invalid_hashtag', `hashtags: "${value}" is not a hashtag (letters, digits and _ only)`);
    return tag;
  });
  return [...new Set(tags)];
}

/** Creating walls and changing their settings; a change the audience sees becomes a `wall` event. */
export function createWalls(ctx: ServiceContext) {
  const { repos } = ctx;

  /** Stores a wall's new settings; when its public view changed, every screen is told by a `wall` event. */
  function save(wall: Wall, next: Wall, now: string): Wall {
    const saved = repos.walls.update(next, now);
    const after = publicWall(saved);
    if (JSON.stringify(after) !== JSON.stringify(publicWall(wall))) {
      const event = repos.events.append(saved.id, 'wall', (seq) => ({ type: 'wall', seq, wall: after }), now);
      repos.afterCommit(() => ctx.hub.publish(wallChannel(wall.slug), event));
    }
    return saved;
  }

  return {
    create(input: WallInput, actor: string, isDefault = false): Wall {
      if (repos.walls.bySlug(input.slug)) throw conflict('wall_exists', `A wall with the slug "${input.slug}" already exists.`);
      const now = ctx.now().toISOString();
      return repos.transaction(() => {
        const wall = repos.walls.create(
          {
            slug: input.slug,
            title: input.title,
            moderation: input.moderation ?? 'pre',
            settings: { ...DEFAULT_WALL_SETTINGS, hashtags: hashtags(input.hashtags ?? []) },
            isDefault: isDefault || repos.walls.count() === 0,
          },
          now,
        );
        repos.audit.append({ actor, action: 'wall.create', wallId: wall.id, targetType: 'wall', targetId: wall.slug }, now);
        return wall;
      });
    },

    update(slug: string, patch: WallPatch, actor: string): Wall {
      return repos.transaction(() => {
        const wall = repos.walls.bySlug(slug);
        if (!wall) throw notFound(`Wall "${slug}"`);
        const { title, moderation, ...settings } = patch;
        const next: Wall = {
          ...wall,
          title: title ?? wall.title,
          moderation: moderation ?? wall.moderation,
          settings: {
            ...wall.settings,
            ...settings,
            ...(settings.hashtags ? { hashtags: hashtags(settings.hashtags) } : {}),
          },
        };
        const now = ctx.now().toISOString();
        const saved = save(wall, next, now);
        repos.audit.append({ actor, action: 'wall.update', wallId: saved.id, targetType: 'wall', targetId: slug, detail: { changed: Object.keys(patch) } }, now);
        return repos.walls.byId(saved.id)!;
      });
    },

    /**
     * The panic switch: blanks or freezes every screen of a wall, or sets it live again. It is a moderator's
     * action (the other settings are an admin's), audited as `display` with where it went from and to, once
     * per press, even when the wall was already in that mode: the log shows every time someone reached for it.
     */
    setDisplay(slug: string, display: WallSettings['display'], actor: string): Wall {
      return repos.transaction(() => {
        const wall = repos.walls.bySlug(slug);
        if (!wall) throw notFound(`Wall "${slug}"`);
        const now = ctx.now().toISOString();
        save(wall, { ...wall, settings: { ...wall.settings, display } }, now);
        repos.audit.append({ actor, action: 'display', wallId: wall.id, targetType: 'wall', targetId: slug, detail: { from: wall.settings.display, to: display } }, now);
        return repos.walls.byId(wall.id)!;
      });
    },
  };
}

export type Walls = ReturnType<typeof createWalls>;
