import { normalizeHashtag } from '../domain/normalize.js';
import {
  APPEARANCE_LIMITS,
  DEFAULT_WALL_SETTINGS,
  imageUrlProblem,
  publicWall,
  type ModerationMode,
  type Wall,
  type WallAppearance,
  type WallPacing,
  type WallSettings,
  type WallStatsSlide,
} from '../domain/wall.js';
import { badRequest, conflict, notFound, wallArchived } from '../errors.js';
import { wallChannel } from '../realtime/hub.js';
import type { ServiceContext } from './context.js';

export interface WallInput {
  slug: string;
  title: string;
  hashtags?: string[];
  moderation?: ModerationMode;
}

export type WallPatch = Partial<Omit<WallSettings, 'hashtags' | 'appearance' | 'pacing' | 'statsSlide'>> & {
  title?: string;
  moderation?: ModerationMode;
  hashtags?: string[];
  /** Only the fields that change; `sponsors` and `tagColors` are each replaced whole. */
  appearance?: Partial<WallAppearance>;
  pacing?: Partial<WallPacing>;
  statsSlide?: Partial<WallStatsSlide>;
};

function hashtags(values: string[]): string[] {
  const tags = values.map((value) => {
    const tag = normalizeHashtag(value);
    if (tag === '') throw badRequest('invalid_hashtag', `hashtags: "${value}" is not a hashtag (letters, digits and _ only)`);
    return tag;
  });
  return [...new Set(tags)];
}

/** A wall image address checked (the route's schema has checked its type and length). */
function imageUrl(field: string, url: string): string {
  const problem = imageUrlProblem(url);
  if (problem !== null) throw badRequest('invalid_image_url', `appearance.${field} ${problem}.`);
  return url;
}

/**
 * The wall's appearance with a partial change applied. Image addresses are checked here (the schema cannot
 * parse a URL), and the hashtags that key `tagColors` are normalized as the wall's own hashtags are, so that
 * "#CapComNet" colours the cards of `capcomnet`.
 */
function mergeAppearance(current: WallAppearance, patch: Partial<WallAppearance>): WallAppearance {
  const next: WallAppearance = { ...current, ...patch };
  for (const field of ['backgroundImage', 'logo'] as const) {
    const url = patch[field];
    if (url !== undefined && url !== null) imageUrl(field, url);
  }
  if (patch.sponsors !== undefined) {
    if (patch.sponsors.length > APPEARANCE_LIMITS.sponsors) throw badRequest('too_many_sponsors', `appearance.sponsors: at most ${APPEARANCE_LIMITS.sponsors} logos.`);
    next.sponsors = patch.sponsors.map((url, index) => imageUrl(`sponsors[${index}]`, url));
  }
  if (patch.tagColors !== undefined) {
    const entries = Object.entries(patch.tagColors);
    if (entries.length > APPEARANCE_LIMITS.tagColors) throw badRequest('too_many_tag_colors', `appearance.tagColors: at most ${APPEARANCE_LIMITS.tagColors} hashtags.`);
    next.tagColors = {};
    for (const [key, colour] of entries) {
      const tag = normalizeHashtag(key);
      if (tag === '') throw badRequest('invalid_hashtag', `appearance.tagColors: "${key}" is not a hashtag (letters, digits and _ only)`);
      next.tagColors[tag] = colour;
    }
  }
  return next;
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

  /** The wall to change: 404 when unknown, 409 when archived (only unarchiving changes an archived wall). */
  function liveWall(slug: string): Wall {
    const wall = repos.walls.bySlug(slug);
    if (!wall) throw notFound(`Wall "${slug}"`);
    if (wall.archivedAt !== null) throw wallArchived(slug);
    return wall;
  }

  /**
   * Archives a wall or sets it live again, audited (`wall.archive`, `wall.unarchive`) once per change; asking
   * for what already is changes nothing. Screens are told through a `wall` event (their settings now say
   * `archived`). Stopping and restarting the wall's sources is the SourceManager's part, called by the route.
   */
  function setArchived(slug: string, archived: boolean, actor: string): Wall {
    return repos.transaction(() => {
      const wall = repos.walls.bySlug(slug);
      if (!wall) throw notFound(`Wall "${slug}"`);
      if ((wall.archivedAt !== null) === archived) return wall;
      const now = ctx.now().toISOString();
      const saved = save(wall, { ...wall, archivedAt: archived ? now : null }, now);
      repos.audit.append(
        { actor, action: archived ? 'wall.archive' : 'wall.unarchive', wallId: wall.id, targetType: 'wall', targetId: slug, detail: archived ? {} : { archivedAt: wall.archivedAt } },
        now,
      );
      return repos.walls.byId(saved.id)!;
    });
  }

  return {
    archive: (slug: string, actor: string): Wall => setArchived(slug, true, actor),
    unarchive: (slug: string, actor: string): Wall => setArchived(slug, false, actor),

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
        const wall = liveWall(slug);
        const { title, moderation, appearance, pacing, statsSlide, ...settings } = patch;
        const next: Wall = {
          ...wall,
          title: title ?? wall.title,
          moderation: moderation ?? wall.moderation,
          settings: {
            ...wall.settings,
            ...settings,
            ...(settings.hashtags ? { hashtags: hashtags(settings.hashtags) } : {}),
            appearance: appearance ? mergeAppearance(wall.settings.appearance, appearance) : wall.settings.appearance,
            pacing: { ...wall.settings.pacing, ...pacing },
            statsSlide: { ...wall.settings.statsSlide, ...statsSlide },
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
        const wall = liveWall(slug);
        const now = ctx.now().toISOString();
        save(wall, { ...wall, settings: { ...wall.settings, display } }, now);
        repos.audit.append({ actor, action: 'display', wallId: wall.id, targetType: 'wall', targetId: slug, detail: { from: wall.settings.display, to: display } }, now);
        return repos.walls.byId(wall.id)!;
      });
    },
  };
}

export type Walls = ReturnType<typeof createWalls>;
