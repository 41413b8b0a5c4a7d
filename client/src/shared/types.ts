/**
 * The shapes the client receives, as fixed by the public contract (DESIGN.md, "Wall realtime protocol"
 * and "Moderation"). They are declared here rather than imported from server/, so that the browser
 * bundle never depends on server code and a drift between the two shows up in the end-to-end tests.
 */

export type Channel = 'sms' | 'email' | 'social' | 'web' | 'api';
export type Layout = 'grid' | 'columns' | 'spotlight' | 'ticker';
export type DisplayMode = 'live' | 'blank' | 'freeze';
export type MessageStatus = 'pending' | 'approved' | 'rejected' | 'hidden';
export type ModerationAction = 'approve' | 'reject' | 'hide' | 'pin' | 'unpin';

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

/** The frames of `WS /ws/moderate/:slug`. */
export type ModerationFrame =
  | { type: 'snapshot'; items: ModeratorMessage[] }
  | { type: 'message'; message: ModeratorMessage };

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
