/**
 * The shapes the client receives, as fixed by the public contract (DESIGN.md, "Wall realtime protocol"
 * and "Moderation"). They are declared here rather than imported from server/, so that the browser
 * bundle never depends on server code and a drift between the two shows up in the end-to-end tests.
 */

export type Channel = 'sms' | 'email' | 'social' | 'web' | 'api';
export type Layout = 'grid' | 'columns' | 'spotlight' | 'ticker';
export type DisplayMode = 'live' | 'blank' | 'freeze';
export type MessageStatus = 'pending' | 'approved' | 'rejected' | 'hidden';
export type ModerationAction = 'approve' | 'reject' | 'hide' | 'pin' | 'unpin' | 'requeue';

export interface MediaItem {
  kind: 'image';
  url: string;
  alt?: string;
}

/** A message as a wall shows it: it never carries a phone number, an email address or an IP. */
export interface WallMessage {
  id: number;
  channel: Channel;
  source: string;
  author: { name: string; handle?: string; avatarUrl?: string };
  text: string;
  media: MediaItem[];
  /** Set when the author put a warning on the post: walls show the warning, not the text or images. */
  contentWarning?: string;
  /** Set when a moderator chose to show the post anyway: walls show the warning as a label above the text and images. */
  contentRevealed?: boolean;
  createdAt: string;
  pinned: boolean;
  /** Set when a moderator marked the sender as a speaker or an organiser: the wall shows a badge. */
  badge?: SenderBadge;
}

/** The public badge of a trusted sender. */
export type SenderBadge = 'speaker' | 'organiser';

export type Language = 'en' | 'fr';
export type ThemeName = 'dark' | 'light';
export type FontChoice = 'inter' | 'atkinson' | 'system';

/**
 * How a wall looks, on top of its light or dark theme. Colours are `#rrggbb`; null keeps the theme's.
 * Image URLs are images uploaded to Toile (`/media/…`) or `https://`; anything else is ignored by the wall.
 */
export interface WallAppearance {
  accent: string | null;
  background: string | null;
  surface: string | null;
  text: string | null;
  font: FontChoice;
  backgroundImage: string | null;
  logo: string | null;
  /** Sponsor logos for the strip at the bottom of the wall, in order (at most 12). */
  sponsors: string[];
  /** A colour per followed hashtag (key: the hashtag as in `hashtags`, without '#'); missing ones get the palette's. */
  tagColors: Record<string, string>;
  /** Whether the wall shows the "how to contribute" panel with its QR code. */
  contributePanel: boolean;
}

/** How items take turns on screen. */
export interface WallPacing {
  /** Seconds an item stays on screen at least before a newer one may push it off (0–600). */
  minSeconds: number;
  /** At most this many items of one sender on screen at once while others wait (0: no limit). */
  perSender: number;
  /** Whether earlier approved items come back when the wall is quiet. */
  replay: boolean;
  /** How long the wall must be quiet before an earlier item comes back (10–3600 s). */
  replayAfterSeconds: number;
}

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

export const DEFAULT_PACING: WallPacing = { minSeconds: 8, perSender: 2, replay: true, replayAfterSeconds: 45 };

/** Whether and when the wall shows its stats slide between items (server/domain/wall.ts has the same shape). */
export interface WallStatsSlide {
  enabled: boolean;
  /** Minutes between two slides (1–120), counted from the moment the previous one opened. */
  everyMinutes: number;
  /** How long the slide stays on screen (5–60 s). */
  seconds: number;
}

export const DEFAULT_STATS_SLIDE: WallStatsSlide = { enabled: false, everyMinutes: 10, seconds: 12 };

/** A wall's public settings, as `GET /api/walls/:slug` and the `wall` frames carry them. */
export interface PublicWall {
  slug: string;
  title: string;
  hashtags: string[];
  moderation: 'pre' | 'post';
  layout: Layout;
  theme: ThemeName;
  display: DisplayMode;
  smsNumbers: string[];
  emailAddresses: string[];
  /** A word an SMS must start with to reach this wall, if any. */
  smsKeyword?: string | null;
  displayLimit: number;
  /** How to take part, in the organiser's words (at most 280 characters); shown by the wall and the form. */
  instructions?: string | null;
  /** 'auto' follows the browser; optional (with the fields below) because an older server may not send it. */
  language?: Language | 'auto';
  appearance?: WallAppearance;
  pacing?: WallPacing;
  statsSlide?: WallStatsSlide;
  /** Whether the wall is archived (read-only, the record of an event that is over); older servers omit it. */
  archived?: boolean;
}

/**
 * What a wall screen reports on its socket when it opens and every 30 s (`WallScreenFrame`), and what
 * moderators read back from `GET /api/walls/:slug/screens`.
 */
export interface ScreenReport {
  /** A random id per page load, so that one screen is one row however often it reconnects. */
  screen: string;
  layout: Layout;
  width: number;
  height: number;
  /** The last seq the screen folded in. */
  seq: number;
  /** JS heap in use, in MiB, where the browser tells (Chromium); null elsewhere. */
  heapMb: number | null;
  /** How many cards are in the page's DOM right now. */
  cards: number;
  mode: 'wall' | 'a11y' | 'embed';
  language: Language;
}

export interface ScreenInfo extends ScreenReport {
  connectedAt: string;
  lastSeenAt: string;
  /** False when the socket is gone; such a row is kept for a few minutes, then dropped. */
  connected: boolean;
}

/** What a wall screen sends on its socket. Anything else is ignored. */
export type WallScreenFrame = { type: 'heartbeat' } & ScreenReport;

/** The frames of `WS /ws/walls/:slug`. */
export type WallFrame =
  | { type: 'snapshot'; epoch: string; seq: number; wall: PublicWall; items: WallMessage[] }
  | { type: 'approved'; seq: number; message: WallMessage }
  | { type: 'removed'; seq: number; id: number }
  | { type: 'pinned'; seq: number; id: number }
  | { type: 'unpinned'; seq: number; id: number }
  | { type: 'wall'; seq: number; wall: PublicWall }
  /** Not an event (no seq): a moderator asked the screens to reload the page. */
  | { type: 'reload' }
  /**
   * Not an event (no seq): a cluster edge lost its feed from the primary (`stale: true`), so what it shows
   * may be behind, or has it back and has caught up (`stale: false`).
   */
  | { type: 'status'; stale: boolean };

/** What a moderator sees: the public message plus its state and, for moderators, the private sender. */
export interface ModeratorMessage extends WallMessage {
  wall: string;
  status: MessageStatus;
  version: number;
  reasons: string[];
  receivedAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  sender?: { kind: string; address: string } | null;
}

/** A moderator connected to a wall, and the message they have open (advisory: decisions stay version-checked). */
export interface ModeratorPresence {
  username: string;
  claimed: number | null;
}

/** The frames of `WS /ws/moderate/:slug`. */
export type ModerationFrame =
  | { type: 'snapshot'; items: ModeratorMessage[] }
  | { type: 'message'; message: ModeratorMessage }
  | { type: 'presence'; moderators: ModeratorPresence[] }
  /** An admin erased these messages (a contributor forgotten, or one message): they leave the console. */
  | { type: 'erased'; ids: number[] };

/** What the console sends on the moderator socket: the card this moderator has open, or none. */
export type ModeratorSocketFrame = { type: 'claim'; id: number } | { type: 'release' };

export interface User {
  username: string;
  role: 'admin' | 'moderator' | 'ingest';
}

/** The error body of every API failure. */
export interface ApiErrorBody {
  code: string;
  message: string;
}

/** The social networks a wall can follow (DESIGN.md, "Social sources"). */
export type SourceKind = 'mastodon' | 'bluesky' | 'x';

/** Whether a source is reading: `failing` still retries on its own; `stopped` is not running (the app is shutting down). */
export type SourceState = 'running' | 'paused' | 'failing' | 'stopped';

/**
 * A social source as `GET /api/walls/:slug/sources` lists it. Secrets never come back: the API answers
 * only whether one is set (`hasAccessToken`, `hasBearerToken`).
 */
export type SourceView = SourceViewCommon &
  (
    | { kind: 'mastodon'; settings: { instance: string; hashtag: string; hasAccessToken: boolean } }
    | { kind: 'bluesky'; settings: { hashtag: string; jetstreamUrl: string; appviewUrl: string; cdnUrl: string } }
    | { kind: 'x'; settings: { query: string; apiBase: string; hasBearerToken: boolean } }
  );

interface SourceViewCommon {
  id: number;
  wall: string;
  paused: boolean;
  state: SourceState;
  lastPollAt: string | null;
  lastEventAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  cursor: string | null;
  itemsIngested: number;
  createdAt: string;
}

/**
 * A wall as `GET /api/walls` lists it for moderators and admins: the public settings plus the rules the
 * audience never sees. The rule fields are optional because a server without them still answers.
 */
export interface AdminWall extends PublicWall {
  blockedTerms: string[];
  publishDelaySeconds: number;
  /** When the event ends (UTC, ISO 8601), from which `retentionDays` count; null: retention never runs. */
  eventEndsAt?: string | null;
  retentionDays: number | null;
  profanityFilter?: boolean;
  holdLinks?: boolean;
  /** How long an identical text is held as a duplicate, in minutes; 0 turns the rule off. */
  duplicateWindowMinutes?: number;
  /** How many messages a sender may send a minute before the rest are held; 0 turns the rule off. */
  senderPerMinute?: number;
  isDefault?: boolean;
  /** When an admin archived the wall; null while it is live. */
  archivedAt?: string | null;
  /** How many messages the wall holds in each status (`GET /api/walls` only). */
  messages?: Record<'pending' | 'approved' | 'rejected' | 'hidden', number>;
}

/** The settings `PATCH /api/walls/:slug` takes: any of them, and only what changed. */
export type WallSettingsPatch = Partial<{
  title: string;
  hashtags: string[];
  moderation: 'pre' | 'post';
  smsNumbers: string[];
  emailAddresses: string[];
  smsKeyword: string | null;
  publishDelaySeconds: number;
  blockedTerms: string[];
  profanityFilter: boolean;
  holdLinks: boolean;
  duplicateWindowMinutes: number;
  senderPerMinute: number;
  instructions: string | null;
  layout: Layout;
  theme: ThemeName;
  language: Language | 'auto';
  appearance: Partial<WallAppearance>;
  pacing: Partial<WallPacing>;
  statsSlide: Partial<WallStatsSlide>;
  displayLimit: number;
  /** An RFC 3339 date-time with its offset, or null. */
  eventEndsAt: string | null;
  retentionDays: number | null;
}>;

export type SenderRule = 'trusted' | 'blocked';
export type SenderKind = 'phone' | 'email' | 'account' | 'client';

/** One entry of a wall's sender lists (`GET /api/walls/:slug/senders`); `address` is private to moderators. */
export interface SenderEntry {
  id: number;
  rule: SenderRule;
  kind: SenderKind;
  address: string;
  label: string | null;
  /** Trusted senders only: the public badge their messages carry on the wall. */
  badge?: SenderBadge | null;
  createdBy: string;
  createdAt: string;
}

/** One row of the audit log (`GET /api/audit`), newest first. */
export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  wall: string | null;
  targetType: string | null;
  targetId: string | null;
  detail: Record<string, unknown>;
}

/** An account as `GET /api/users` lists it. */
export interface UserAccount {
  username: string;
  role: User['role'];
  /** The slugs of the walls a moderator is limited to; empty: every wall. */
  walls: string[];
  createdAt: string;
}

/** An API token as `GET /api/tokens` lists it: never the secret, which is shown once at creation. */
export interface ApiTokenInfo {
  id: number;
  name: string;
  role: User['role'];
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** A login session as `GET /api/sessions` lists it; `id` names the session without being its cookie. */
export interface SessionInfo {
  id: string | number;
  username: string;
  createdAt: string;
  lastSeenAt: string | null;
  /** True for the session this page runs in. */
  current: boolean;
}

/** Contributions counted by status (`received` is all of them). */
export interface StatusCounts {
  received: number;
  pending: number;
  approved: number;
  rejected: number;
  hidden: number;
}

/** `GET /api/walls/:slug/stats` (server/services/stats.ts). */
export interface WallStats {
  wall: string;
  at: string;
  totals: StatusCounts;
  byChannel: Record<string, StatusCounts>;
  approvalRate: number | null;
  moderation: { decided: number; medianSeconds: number | null; p90Seconds: number | null };
  series: { bucketSeconds: number; start: string | null; channels: string[]; received: Record<string, number[]>; queue: number[] };
  topContributors: { label: string; count: number }[];
  hashtags: { tag: string; count: number }[];
  viewers: number;
}

/** What a wall's stats slide shows (`GET /api/walls/:slug/stats/public`): counts and the chart only. */
export interface PublicWallStats {
  wall: string;
  at: string;
  received: number;
  /** Contributions on the wall (approved). */
  shown: number;
  byChannel: Record<string, { received: number; shown: number }>;
  viewers: number;
  series: { bucketSeconds: number; start: string | null; channels: string[]; received: Record<string, number[]> };
}
