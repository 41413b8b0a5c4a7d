/**
 * The message model: what every channel's adapter produces (`Contribution`), what the pipeline stores
 * (`StoredMessage`), and the two views of it that leave the server: the public `WallMessage` a wall
 * shows, and the `ModeratorMessage` a moderator decides on.
 */

export const CHANNELS = ['sms', 'email', 'social', 'web', 'api'] as const;
export type Channel = (typeof CHANNELS)[number];

export const SOURCES = [
  'twilio', 'vonage', 'sms-gateway', 'mailgun', 'sendgrid', 'postmark', 'smtp',
  'mastodon', 'bluesky', 'x', 'web', 'api',
] as const;
export type Source = (typeof SOURCES)[number];

export const MESSAGE_STATUSES = ['pending', 'approved', 'rejected', 'hidden'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** How a contributor can be reached privately. Never shown to an audience. */
export type AddressKind = 'phone' | 'email' | 'account' | 'client';

export interface MediaItem {
  kind: 'image';
  url: string;
  alt?: string;
}

/** What an adapter hands to the ingest pipeline: one provider message, already verified and parsed. */
export interface Contribution {
  channel: Channel;
  source: Source;
  /** The provider's own id for this message; a repeat of the same (source, id) stores nothing new. */
  providerMessageId: string;
  /** A wall chosen by the caller (API, web form, a social source); otherwise the pipeline routes. */
  wallSlug?: string;
  /** The address the contributor wrote to (an SMS number, an email address), used for routing. */
  to?: string;
  author: {
    /** The name the contributor gave, if any (email display name, social display name, web form). */
    name?: string;
    handle?: string;
    avatarUrl?: string;
    /** Private: a phone number, an email address, an account id or a client id. */
    address?: string;
    addressKind?: AddressKind;
  };
  text: string;
  media?: MediaItem[];
  /** A content warning the author put on the post (Mastodon's spoiler text, a sensitive flag). */
  contentWarning?: string;
  /** When the contributor sent it, as the provider says; defaults to the time of receipt. */
  createdAt?: Date;
  /** The provider's payload, kept private for audit and erased by retention. */
  raw?: unknown;
}

/** The public view: never a phone number, an email address, an IP or a raw payload. */
export interface WallMessage {
  id: number;
  channel: Channel;
  source: Source;
  author: { name: string; handle?: string; avatarUrl?: string };
  text: string;
  media: MediaItem[];
  /** Present when the author marked the post: a wall shows this warning and keeps the text and images hidden. */
  contentWarning?: string;
  /** Present (true) when a moderator chose to show the post anyway: the wall shows the warning as a label above it. */
  contentRevealed?: true;
  createdAt: string;
  pinned: boolean;
  /** Present when a moderator marked the sender as a speaker or an organiser: the wall shows a badge. */
  badge?: 'speaker' | 'organiser';
}

/** The moderator's view: the public one plus its state and, for roles that may see it, the sender. */
export interface ModeratorMessage extends WallMessage {
  wall: string;
  status: MessageStatus;
  version: number;
  reasons: string[];
  receivedAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  sender?: { kind: AddressKind; address: string } | null;
}
