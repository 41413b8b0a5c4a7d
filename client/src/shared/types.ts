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
  createdAt: string;
  pinned: boolean;
}

/** A wall's public settings, as `GET /api/walls/:slug` and the `wall` frames carry them. */
export interface PublicWall {
  slug: string;
  title: string;
  hashtags: string[];
  moderation: 'pre' | 'post';
  layout: Layout;
  theme: string;
  display: DisplayMode;
  smsNumbers: string[];
  emailAddresses: string[];
  /** A word an SMS must start with to reach this wall, if any. */
  smsKeyword?: string | null;
  displayLimit: number;
  /** How to take part, in the organiser's words (at most 280 characters); shown by the wall and the form. */
  instructions?: string | null;
}

/** The frames of `WS /ws/walls/:slug`. */
export type WallFrame =
  | { type: 'snapshot'; epoch: string; seq: number; wall: PublicWall; items: WallMessage[] }
  | { type: 'approved'; seq: number; message: WallMessage }
  | { type: 'removed'; seq: number; id: number }
  | { type: 'pinned'; seq: number; id: number }
  | { type: 'unpinned'; seq: number; id: number }
  | { type: 'wall'; seq: number; wall: PublicWall };

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
  | { type: 'presence'; moderators: ModeratorPresence[] };

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
  retentionDays: number | null;
  profanityFilter?: boolean;
  holdLinks?: boolean;
  /** How long an identical text is held as a duplicate, in minutes; 0 turns the rule off. */
  duplicateWindowMinutes?: number;
  /** How many messages a sender may send a minute before the rest are held; 0 turns the rule off. */
  senderPerMinute?: number;
  isDefault?: boolean;
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
  theme: string;
  displayLimit: number;
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
