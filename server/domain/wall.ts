/** A wall: one screen's worth of contributions, with its own settings. */
import { normalizeLabel, normalizeText } from './normalize.js';

export const LAYOUTS = ['grid', 'columns', 'spotlight', 'ticker'] as const;
export type Layout = (typeof LAYOUTS)[number];
export const DISPLAY_MODES = ['live', 'blank', 'freeze'] as const;
export type DisplayMode = (typeof DISPLAY_MODES)[number];
export type ModerationMode = 'pre' | 'post';

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
  theme: string;
  display: DisplayMode;
  /** How many approved items a wall shows and a snapshot carries. */
  displayLimit: number;
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
  theme: string;
  display: DisplayMode;
  smsNumbers: string[];
  emailAddresses: string[];
  smsKeyword: string | null;
  displayLimit: number;
  /**
   * How to take part, in the organiser's words (null: none). Optional because `wall` events stored in the log
   * before walls had instructions are replayed as they were written.
   */
  instructions?: string | null;
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
  display: 'live',
  displayLimit: 50,
  retentionDays: null,
  profanityFilter: true,
  holdLinks: true,
  duplicateWindowMinutes: 10,
  senderPerMinute: 3,
  instructions: null,
};

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
    retentionDays: wall.settings.retentionDays,
    smsNamePrefix: wall.settings.smsNamePrefix,
    smsReply: wall.settings.smsReply,
    smsHelp: wall.settings.smsHelp,
    isDefault: wall.isDefault,
    seq: wall.lastSeq,
    createdAt: wall.createdAt,
    updatedAt: wall.updatedAt,
  };
}
