import type { StoredMessage } from '../db/repositories/messages.js';
import type { MediaItem } from '../domain/message.js';
import type { ServiceContext } from './context.js';
import { toEmailContribution, type EmailSource, type ParsedEmail } from './email.js';
import type { Ingest } from './ingest.js';
import type { MediaStore } from './media.js';
import { wallForAddress } from './routing.js';

/** One email as an intake hands it over (a provider's webhook once verified, or the SMTP receiver). */
export interface InboundEmail {
  source: EmailSource;
  parsed: ParsedEmail;
  /** The provider's own id, when it has one (Postmark's MessageID…); else the Message-ID is used. */
  providerMessageId?: string;
  /** SMTP MAIL FROM, when known ('' for a bounce). */
  envelopeFrom?: string;
  /** SMTP RCPT TO addresses, when known: the first that belongs to a wall routes the mail. */
  envelopeTo?: string[];
  /** The provider's payload without the body, kept private for the record. */
  raw?: unknown;
}

export interface EmailOutcome {
  /** `automatic`: a bounce, an auto-reply or list mail, stored rejected and never shown or answered. */
  kind: 'stored' | 'duplicate' | 'automatic';
  message: StoredMessage;
}

/**
 * What every email intake shares: the recipient that routes it, automatic mail kept off the wall, image
 * attachments stored (and shown only once a moderator approves), then the common ingest pipeline. The
 * sender's address is the contributor's private address; a wall shows their display name or `j•••`.
 */
export function createEmailReceiver(ctx: ServiceContext, ingest: Ingest, media: MediaStore) {
  const { repos } = ctx;

  /** The recipient that belongs to a wall, among the envelope's and then the headers'. */
  function recipient(email: InboundEmail): string | undefined {
    const candidates = [...(email.envelopeTo ?? []), ...email.parsed.to];
    const walls = repos.walls.routable();
    return candidates.find((address) => wallForAddress(walls, address) !== undefined);
  }

  return async function receive(email: InboundEmail): Promise<EmailOutcome> {
    const routed = recipient(email);
    const contribution = toEmailContribution(email.parsed, {
      source: email.source,
      providerMessageId: email.providerMessageId,
      envelopeFrom: email.envelopeFrom,
      envelopeTo: routed ?? email.envelopeTo?.[0],
    });
    contribution.raw = email.raw;
    const existing = ingest.alreadyStored(contribution);
    if (existing) return { kind: 'duplicate', message: existing };

    const automatic = email.parsed.autoReason;
    if (automatic !== null) {
      const { message, created } = ingest(contribution, { reject: [automatic] });
      return { kind: created ? 'automatic' : 'duplicate', message };
    }
    const items: MediaItem[] = [];
    const problems = new Set<string>();
    for (const image of email.parsed.images) {
      // No alt text from the file name: "IMG_2041.jpg" says nothing, and a name may say too much.
      const stored = media.storeImage(image.content);
      if (stored.ok) items.push(stored.item);
      else problems.add(stored.problem);
    }
    contribution.media = items;
    const { message, created } = ingest(contribution, { hold: [...email.parsed.hold, ...problems] });
    return { kind: created ? 'stored' : 'duplicate', message };
  };
}

export type EmailReceiver = ReturnType<typeof createEmailReceiver>;
