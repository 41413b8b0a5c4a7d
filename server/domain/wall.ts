/** A wall: one screen's worth of contributions, with its own settings. */

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
};

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
  };
}

/** Moderators and admins also see the rules that are not shown to the audience. */
export function adminWall(wall: Wall) {
  return {
    ...publicWall(wall),
    blockedTerms: wall.settings.blockedTerms,
    publishDelaySeconds: wall.settings.publishDelaySeconds,
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
