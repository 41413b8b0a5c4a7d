/**
 * Mail that a machine sent: bounces, out-of-office replies, newsletters, mailing lists. A wall never shows
 * it and Toile never answers it, or two auto-responders could write to each other forever. DESIGN.md
 * ("Email loops") fixes the rule; RFC 3834 ("Recommendations for Automatic Responses to Electronic Mail")
 * is where it comes from. Pure: the headers come from whichever intake received the mail.
 */

/**
 * Why a mail is automatic, as stored with the rejected message. The first six are DESIGN.md's rule;
 * `auto-reply` covers the non-standard headers described at `autoMailReason`.
 */
export type AutoMailReason =
  | 'bounce-report'
  | 'empty-envelope-sender'
  | 'mailer-daemon'
  | 'auto-submitted'
  | 'auto-reply'
  | 'bulk'
  | 'mailing-list';

/**
 * Header fields as [name, value] pairs, in any case, as every intake can give them: raw header lines once
 * split, Mailgun's `message-headers`, Postmark's `Headers` mapped to pairs, a `Map`, or `Object.entries()`
 * of a plain object. A field that appears twice appears as two pairs.
 */
export type MailHeaderPairs = Iterable<readonly [string, string]>;

/** The first token of a structured value, lower case: "auto-replied; owner=…" → "auto-replied". */
function token(value: string): string {
  return (value.split(';')[0] ?? '').trim().toLowerCase();
}

/** The bounce senders of RFC 3834 §2 and RFC 5321 §4.5.1: a local part of MAILER-DAEMON or postmaster. */
const DAEMON_SENDER = /(?:^|[\s<"'(:,])(?:mailer-daemon|postmaster)(?:$|[@>\s"'),;])/i;

/** The null reverse-path of RFC 5321 §4.5.5: an empty envelope sender, written "<>" or "". */
function isNullSender(value: string): boolean {
  return value.replace(/[\s<>]/g, '') === '';
}

/** X-Auto-Response-Suppress values that Exchange sets on the replies it generates itself. */
const SUPPRESS_AUTOMATIC = new Set(['all', 'oof', 'autoreply']);

/**
 * Why a mail must be treated as automatic, or null for mail a person wrote. DESIGN.md's rule, checked in
 * this order so that the most specific reason is the one recorded:
 * - `bounce-report`: a `multipart/report` body (delivery status notifications, feedback reports, RFC 6522);
 * - `empty-envelope-sender`: the envelope sender is empty (`<>`), which bounces and RFC 3834 responses use.
 *   `envelopeFrom` is that sender when the intake knows it (SMTP's MAIL FROM, Mailgun's `sender`,
 *   SendGrid's `envelope.from`); `undefined` means unknown, and then a `Return-Path: <>` header, which the
 *   delivering server writes from the envelope (RFC 5321 §4.4), stands for it;
 * - `mailer-daemon`: the envelope sender or `From` is MAILER-DAEMON or postmaster;
 * - `auto-submitted`: `Auto-Submitted` with any value but `no` (RFC 3834 §5);
 * - `bulk`: `Precedence: bulk`, `junk` or `list`;
 * - `mailing-list`: a `List-Id` header (RFC 2919), whatever its value.
 * Beyond DESIGN.md, `auto-reply` for headers that many auto-responders write instead of Auto-Submitted:
 * `X-Autoreply` and `X-Autorespond` (any value but `no`), `X-Auto-Response-Suppress` naming `All`, `OOF`
 * or `AutoReply` (which Microsoft Exchange sets on its own out-of-office and automatic replies), and
 * `Precedence: auto_reply`. So is reading `Return-Path: <>` when the envelope is unknown, above.
 */
export function autoMailReason(headers: MailHeaderPairs, envelopeFrom?: string | null): AutoMailReason | null {
  const fields = new Map<string, string[]>();
  for (const [name, value] of headers) {
    const key = name.trim().toLowerCase();
    const unfolded = value.replace(/\r?\n[ \t]*/g, ' ').trim();
    const list = fields.get(key);
    if (list) list.push(unfolded);
    else fields.set(key, [unfolded]);
  }
  const all = (name: string): string[] => fields.get(name) ?? [];

  if (all('content-type').some((value) => token(value) === 'multipart/report')) return 'bounce-report';

  if (envelopeFrom != null) {
    if (isNullSender(envelopeFrom)) return 'empty-envelope-sender';
  } else if (all('return-path').some(isNullSender)) {
    return 'empty-envelope-sender';
  }

  const senders = [...(envelopeFrom != null ? [envelopeFrom] : []), ...all('from'), ...all('return-path')];
  if (senders.some((sender) => DAEMON_SENDER.test(sender))) return 'mailer-daemon';

  if (all('auto-submitted').some((value) => token(value) !== 'no')) return 'auto-submitted';

  const precedence = all('precedence').map(token);
  const isAutoReply =
    [...all('x-autoreply'), ...all('x-autorespond')].some((value) => token(value) !== 'no') ||
    all('x-auto-response-suppress').some((value) =>
      value.split(/[\s,]+/).some((item) => SUPPRESS_AUTOMATIC.has(item.toLowerCase())),
    ) ||
    precedence.includes('auto_reply');
  if (isAutoReply) return 'auto-reply';

  if (precedence.some((value) => value === 'bulk' || value === 'junk' || value === 'list')) return 'bulk';
  if (fields.has('list-id')) return 'mailing-list';
  return null;
}
