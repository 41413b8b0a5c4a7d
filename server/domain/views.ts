import type { StoredMessage } from '../db/repositories/messages.js';
import type { ModeratorMessage, WallMessage } from './message.js';

/** The public view of a message: what a wall may show. Nothing private is copied. */
export function toWallMessage(m: StoredMessage): WallMessage {
  const author: WallMessage['author'] = { name: m.authorName };
  if (m.authorHandle !== null) author.handle = m.authorHandle;
  if (m.authorAvatarUrl !== null) author.avatarUrl = m.authorAvatarUrl;
  return {
    id: m.id,
    channel: m.channel,
    source: m.source,
    author,
    text: m.text,
    media: m.media,
    ...(m.contentWarning === null ? {} : { contentWarning: m.contentWarning }),
    // Only a post that still has its warning can be shown behind it (a retracted post has neither).
    ...(m.contentWarning !== null && m.contentRevealed ? { contentRevealed: true } : {}),
    createdAt: m.createdAt,
    pinned: m.pinned,
    ...(m.badge === null ? {} : { badge: m.badge }),
  };
}

/** The moderator's view; the sender's address only for roles allowed to see it. */
export function toModeratorMessage(m: StoredMessage, withSender: boolean): ModeratorMessage {
  return {
    ...toWallMessage(m),
    wall: m.wallSlug,
    status: m.status,
    version: m.version,
    reasons: m.reasons,
    receivedAt: m.receivedAt,
    decidedAt: m.decidedAt,
    decidedBy: m.decidedBy,
    ...(withSender ? { sender: m.sender } : {}),
  };
}
