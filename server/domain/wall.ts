/** A wall: one screen's worth of contributions, with its own settings. */
import { isMediaPath } from './media-name.js';
import { normalizeLabel, normalizeText } from './normalize.js';

export const LAYOUTS = ['grid', 'columns', 'spotlight', 'ticker'] as const;
export type Layout = (typeof LAYOUTS)[number];
export const DISPLAY_MODES = ['live', 'blank', 'freeze'] as const;
export type DisplayMode = (typeof DISPLAY_MODES)[number];
export type ModerationMode = 'pre' | 'post';
export const THEMES = ['dark', 'light'] as const;
export type ThemeName = (typeof THEMES)[number];
/** The wall's language; 'auto' follows each screen's browser. */
export const WALL_LANGUAGES = ['auto', 'en', 'fr'] as const;
export type WallLanguage = (typeof WALL_LANGUAGES)[number];
export const FONT_CHOICES = ['inter', 'atkinson', 'system'] as const;
export type FontChoice = (typeof FONT_CHOICES)[number];

/**
 * How a wall looks on top of its light or dark theme (client/src/shared/types.ts has the same shape).
 * Colours are `#rrggbb`, null keeps the theme's; image URLs are pictures served by Toile (`/media/…`) or
 * `https://` addresses.
 */
export interface WallAppearance {
  accent: string | null;
  background: string | null;
  surface: string | null;
  text: string | null;
  font: FontChoice;
  backgroundImage: string | null;
  logo: string | null;
  /** Sponsor logos for the strip at the bottom of the wall, in order. */
  sponsors: string[];
  /** A colour per followed hashtag (the hashtag as in `hashtags`, without '#'). */
  tagColors: Record<string, string>;
  /** Whether the wall shows the "how to contribute" panel with its QR code. */
  contributePanel: boolean;
}

/** How items take turns on screen (client/src/shared/types.ts has the same shape). */
export interface WallPacing {
  /** Seconds an item stays on screen at least before a newer one may push it off. */
  minSeconds: number;
  /** At most this many items of one sender on screen at once while others wait (0: no limit). */
  perSender: number;
  /** Whether earlier approved items come back when the wall is quiet. */
  replay: boolean;
  /** How long the wall must be quiet before an earlier item comes back. */
  replayAfterSeconds: number;
}

/**
 * Whether and when the wall shows its stats slide (counts and a chart, full screen, between items); the
 * client's WallStatsSlide has the same shape. Off by default: a wall that does not show its numbers does not
 * publish them either (`GET /api/walls/:slug/stats/public` answers 404).
 */
export interface WallStatsSlide {
  enabled: boolean;
  /** Minutes between two slides, counted from the moment the previous one opened. */
  everyMinutes: number;
  /** How long the slide stays on screen. */
  seconds: number;
}

export const DEFAULT_STATS_SLIDE: WallStatsSlide = { enabled: false, everyMinutes: 10, seconds: 12 };
export const STATS_SLIDE_LIMITS = {
  everyMinutes: { minimum: 1, maximum: 120 },
  seconds: { minimum: 5, maximum: 60 },
} as const;

/** The same defaults as the client's DEFAULT_APPEARANCE: a wall without settings looks like its theme. */
export const DEFAULT_APPEARANCE: WallAppearance = {
  accent: null,
  background: null,
  surface: null,
  text: null,
  font: 'inter',
  backgroundImage: null,
  logo: null,
  sponsors: [],
  tagColors: {},
  contributePanel: true,
};

/** The same defaults as the client's DEFAULT_PACING. */
export const DEFAULT_PACING: WallPacing = { minSeconds: 8, perSender: 2, replay: true, replayAfterSeconds: 45 };

/** The limits the settings API checks (and the console's form shows). */
export const APPEARANCE_LIMITS = { sponsors: 12, tagColors: 20, imageUrlLength: 2048 } as const;
export const PACING_LIMITS = {
  minSeconds: { minimum: 0, maximum: 600 },
  perSender: { minimum: 0, maximum: 20 },
  replayAfterSeconds: { minimum: 10, maximum: 3600 },
} as const;

export interface WallSettings {
  hashtags: string[];
  blockedTerms: string[];
  publishDelaySeconds: number;
  smsNumbers: string[];
  emailAddresses: string[];
  /**
   * A word or hashtag an SMS must start with to reach this wall ("MUR", "#capcomnet"); it is removed from
   * the text shown. Null: any SMS routed here is taken.
   */
  smsKeyword: string | null;
  /** Whether an SMS written "Name: message" is shown with that name rather than a masked number. */
  smsNamePrefix: boolean;
  /** The text answered to each SMS where the provider takes an answer (Twilio); null answers nothing. */
  smsReply: string | null;
  /** The answer to HELP or INFO; null: a line made from the wall's title. */
  smsHelp: string | null;
  layout: Layout;
  theme: ThemeName;
  /** The language of the wall's own words (its UI, not the messages). */
  language: WallLanguage;
  appearance: WallAppearance;
  pacing: WallPacing;
  statsSlide: WallStatsSlide;
  display: DisplayMode;
  /** How many approved items a wall shows and a snapshot carries. */
  displayLimit: number;
  /**
   * When the event ends (an ISO date-time), the start of the retention period; null: retention never runs
   * for this wall, whatever `retentionDays` says.
   */
  eventEndsAt: string | null;
  /** Days after `eventEndsAt` when private sender data and raw payloads are erased; null keeps them. */
  retentionDays: number | null;
  /** Whether English and French profanity holds a message (`profanity:<word>`). */
  profanityFilter: boolean;
  /** Whether a message with a web address waits for a moderator (`link`). */
  holdLinks: boolean;
  /** The same text received on the wall within this many minutes is held (`duplicate`); 0 turns the rule off. */
  duplicateWindowMinutes: number;
  /** A contributor's messages past this many in a minute are held (`sender-rate`); 0 turns the rule off. */
  senderPerMinute: number;
  /** How to take part, in the organiser's words: shown on the wall and above the web form. */
  instructions: string | null;
}

export interface Wall {
  id: number;
  slug: string;
  title: string;
  moderation: ModerationMode;
  isDefault: boolean;
  lastSeq: number;
  settings: WallSettings;
  /** When an admin archived the wall (read-only, its sources stopped); null while it is live. */
  archivedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What anyone may read about a wall: it is shown on a projector and in the contribute panel. */
export interface PublicWall {
  slug: string;
  title: string;
  hashtags: string[];
  moderation: ModerationMode;
  layout: Layout;
  theme: ThemeName;
  display: DisplayMode;
  smsNumbers: string[];
  emailAddresses: string[];
  smsKeyword: string | null;
  displayLimit: number;
  /**
   * How to take part, in the organiser's words (null: none). Optional because `wall` events stored in the log
   * before walls had instructions are replayed as they were written; the same holds for the fields below.
   */
  instructions?: string | null;
  language?: WallLanguage;
  appearance?: WallAppearance;
  pacing?: WallPacing;
  statsSlide?: WallStatsSlide;
  /** Whether the wall is archived: the record of an event that is over, shown with a discreet mark. */
  archived?: boolean;
}

export const DEFAULT_WALL_SETTINGS: WallSettings = {
  hashtags: [],
  blockedTerms: [],
  publishDelaySeconds: 0,
  smsNumbers: [],
  emailAddresses: [],
  smsKeyword: null,
  smsNamePrefix: false,
  smsReply: null,
  smsHelp: null,
  layout: 'grid',
  theme: 'dark',
  language: 'auto',
  appearance: DEFAULT_APPEARANCE,
  pacing: DEFAULT_PACING,
  statsSlide: DEFAULT_STATS_SLIDE,
  display: 'live',
  displayLimit: 50,
  eventEndsAt: null,
  retentionDays: null,
  profanityFilter: true,
  holdLinks: true,
  duplicateWindowMinutes: 10,
  senderPerMinute: 3,
  instructions: null,
};

/**
 * A wall's settings as stored (JSON written by any earlier version) made whole: missing fields take their
 * defaults, appearance and pacing are completed field by field, and a theme that is neither light nor dark
 * (walls once took any name) reads as dark.
 */
export function settingsFromStored(stored: Partial<WallSettings>): WallSettings {
  const settings = { ...DEFAULT_WALL_SETTINGS, ...stored };
  return {
    ...settings,
    theme: (THEMES as readonly string[]).includes(settings.theme) ? settings.theme : 'dark',
    language: (WALL_LANGUAGES as readonly string[]).includes(settings.language) ? settings.language : 'auto',
    appearance: { ...DEFAULT_APPEARANCE, ...stored.appearance },
    pacing: { ...DEFAULT_PACING, ...stored.pacing },
    statsSlide: { ...DEFAULT_STATS_SLIDE, ...stored.statsSlide },
  };
}

/** The longest contribution instructions, in grapheme clusters: two lines under a projected wall. */
export const MAX_INSTRUCTIONS_GRAPHEMES = 280;

/**
 * Contribution instructions as a wall shows them: each line cleaned like a label (compatibility forms folded,
 * hidden characters gone), empty lines dropped, at most 280 graphemes. Null when nothing visible is left.
 */
export function normalizeInstructions(input: string | null): string | null {
  if (input === null) return null;
  const lines = input
    .split(/\r\n?|\n|[\u000B\u000C\u0085\u2028\u2029]/u)
    .map((line) => normalizeLabel(line, { maxGraphemes: MAX_INSTRUCTIONS_GRAPHEMES }))
    .filter((line) => line !== '');
  return normalizeText(lines.join('\n'), { maxGraphemes: MAX_INSTRUCTIONS_GRAPHEMES }) || null;
}

/**
 * Why a wall image address (logo, background, sponsor) is refused, or null when it is fine: a picture
 * uploaded to Toile (`/media/<name>`), or an `https://` address without credentials in it (a wall is shown
 * to a whole room, and a projector page must never send a password to another site).
 */
export function imageUrlProblem(url: string): string | null {
  if (isMediaPath(url)) return null;
  if (url.length > APPEARANCE_LIMITS.imageUrlLength) return `is longer than ${APPEARANCE_LIMITS.imageUrlLength} characters`;
  if (!url.startsWith('https://')) return 'must be an image uploaded to Toile (/media/…) or an https:// address';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a valid address';
  }
  if (parsed.protocol !== 'https:' || parsed.hostname === '') return 'must be an https:// address';
  if (parsed.username !== '' || parsed.password !== '') return 'must not carry a user name or password';
  return null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * When retention erases a wall's private data: the event's end plus `retentionDays`. Null when either is
 * unset (the wall's data is kept) or the stored end is not a date.
 */
export function retentionDueAt(settings: Pick<WallSettings, 'eventEndsAt' | 'retentionDays'>): Date | null {
  if (settings.eventEndsAt === null || settings.retentionDays === null) return null;
  const end = Date.parse(settings.eventEndsAt);
  return Number.isNaN(end) ? null : new Date(end + settings.retentionDays * DAY_MS);
}

export function publicWall(wall: Wall): PublicWall {
  const s = wall.settings;
  return {
    slug: wall.slug,
    title: wall.title,
    hashtags: s.hashtags,
    moderation: wall.moderation,
    layout: s.layout,
    theme: s.theme,
    display: s.display,
    smsNumbers: s.smsNumbers,
    emailAddresses: s.emailAddresses,
    smsKeyword: s.smsKeyword,
    displayLimit: s.displayLimit,
    instructions: s.instructions,
    language: s.language,
    appearance: s.appearance,
    pacing: s.pacing,
    statsSlide: s.statsSlide,
    archived: wall.archivedAt !== null,
  };
}

/** Moderators and admins also see the rules that are not shown to the audience. */
export function adminWall(wall: Wall) {
  return {
    ...publicWall(wall),
    blockedTerms: wall.settings.blockedTerms,
    publishDelaySeconds: wall.settings.publishDelaySeconds,
    profanityFilter: wall.settings.profanityFilter,
    holdLinks: wall.settings.holdLinks,
    duplicateWindowMinutes: wall.settings.duplicateWindowMinutes,
    senderPerMinute: wall.settings.senderPerMinute,
    eventEndsAt: wall.settings.eventEndsAt,
    retentionDays: wall.settings.retentionDays,
    smsNamePrefix: wall.settings.smsNamePrefix,
    smsReply: wall.settings.smsReply,
    smsHelp: wall.settings.smsHelp,
    isDefault: wall.isDefault,
    archivedAt: wall.archivedAt,
    seq: wall.lastSeq,
    createdAt: wall.createdAt,
    updatedAt: wall.updatedAt,
  };
}
