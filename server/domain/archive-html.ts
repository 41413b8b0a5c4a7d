/**
 * The archive as one static HTML page that an organiser can put on the event's website or open from a
 * USB stick: everything is in the file. Its style is inline, its pictures are `data:` URIs of the images
 * Toile stored, and its Content Security Policy (`default-src 'none'; img-src data:; style-src
 * 'unsafe-inline'`) lets the browser load nothing else, no script at all. Pictures that live elsewhere (a
 * social network's photo, an avatar) are neither fetched nor referenced: the page shows their description.
 *
 * Every piece of text a contributor or an organiser wrote goes through `escapeHtml`, and into element
 * content or a quoted attribute only; user text never reaches a URL, a style or a tag name. Texts and
 * names are isolated for bidirectional layout (`dir="auto"`, `<bdi>`), so that a right-to-left name does
 * not reorder the card around it.
 */
import { isDecided, type Archive } from './archive.js';
import type { Channel, MediaItem, MessageStatus, Source, WallMessage } from './message.js';

export const ARCHIVE_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

export interface ArchivePictures {
  /** The stored pictures embedded in the page, by their `/media/…` address, as `data:` URIs. */
  embedded: ReadonlyMap<string, string>;
  /** Stored pictures left out because the page's budget was spent (the page says how many). */
  leftOut: number;
  /** The budget, in bytes of pictures, for the page to name. */
  budgetBytes: number;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for element content or a quoted attribute value (HTML Living Standard, §13.1.2.3 and §13.1.4). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

type Words = typeof EN;

const EN = {
  lang: 'en',
  locale: 'en-GB',
  contributions: (n: number) => (n === 1 ? '1 contribution' : `${n} contributions`),
  exported: 'Archive exported on',
  complete: 'Every contribution with its moderation decision: a record for the organisers, not for publication.',
  empty: 'No contribution.',
  pinned: 'Pinned',
  speaker: 'Speaker',
  organiser: 'Organiser',
  pictureNotIncluded: 'Picture not included',
  leftOut: (n: number, mb: number) =>
    `${n === 1 ? '1 picture was' : `${n} pictures were`} left out to keep the pictures of this page under ${mb} MB.`,
  decided: 'decided by',
  reasons: 'reasons',
  status: { pending: 'Pending', approved: 'Approved', rejected: 'Rejected', hidden: 'Hidden' } satisfies Record<MessageStatus, string>,
  channel: { sms: 'SMS', email: 'Email', social: 'Social', web: 'Web form', api: 'API' } satisfies Record<Channel, string>,
};

const FR: Words = {
  lang: 'fr',
  locale: 'fr-FR',
  contributions: (n: number) => (n <= 1 ? `${n} contribution` : `${n} contributions`),
  exported: 'Archive exportée le',
  complete: 'Toutes les contributions avec leur décision de modération : un document pour les organisateurs, à ne pas publier.',
  empty: 'Aucune contribution.',
  pinned: 'Épinglé',
  speaker: 'Intervenant',
  organiser: 'Organisateur',
  pictureNotIncluded: 'Image non incluse',
  leftOut: (n: number, mb: number) =>
    `${n <= 1 ? `${n} image a été laissée` : `${n} images ont été laissées`} de côté pour que les images de cette page restent sous ${mb} Mo.`,
  decided: 'décidé par',
  reasons: 'raisons',
  status: { pending: 'En attente', approved: 'Approuvé', rejected: 'Refusé', hidden: 'Masqué' },
  channel: { sms: 'SMS', email: 'E-mail', social: 'Réseau social', web: 'Formulaire web', api: 'API' },
};

/** The social networks by name; other sources are named by their channel. */
const NETWORKS: Partial<Record<Source, string>> = { mastodon: 'Mastodon', bluesky: 'Bluesky', x: 'X' };

/** Only a colour as the settings API takes it is put into the style sheet. */
const COLOUR = /^#[0-9a-fA-F]{6}$/;

/** The page, whole. `timeZone` is for tests; the server's own zone otherwise. */
export function archiveHtml(archive: Archive, pictures: ArchivePictures, options: { timeZone?: string } = {}): string {
  const words = archive.wall.language === 'fr' ? FR : EN;
  const time = new Intl.DateTimeFormat(words.locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
    ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
  });
  const when = (iso: string) => `<time datetime="${escapeHtml(iso)}">${escapeHtml(time.format(new Date(iso)))}</time>`;
  const accent = archive.wall.appearance?.accent;
  const title = escapeHtml(archive.wall.title);
  const hashtags = archive.wall.hashtags.map((tag) => `#${tag}`).join(' ');

  const intro = [
    `<p class="meta">${escapeHtml(words.contributions(archive.messages.length))}${hashtags === '' ? '' : ` · <bdi>${escapeHtml(hashtags)}</bdi>`}</p>`,
    `<p class="meta">${escapeHtml(words.exported)} ${when(archive.exportedAt)}</p>`,
    archive.scope === 'all' ? `<p class="notice">${escapeHtml(words.complete)}</p>` : '',
    pictures.leftOut > 0
      ? `<p class="notice">${escapeHtml(words.leftOut(pictures.leftOut, Math.round(pictures.budgetBytes / (1024 * 1024))))}</p>`
      : '',
  ].join('');
  const cards = archive.messages.map((message) => card(message, words, pictures, when)).join('\n');

  return `<!doctype html>
<html lang="${words.lang}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${ARCHIVE_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="Toile">
<title>${title}</title>
<style>${STYLE}${accent !== undefined && accent !== null && COLOUR.test(accent) ? `:root{--accent:${accent}}` : ''}</style>
</head>
<body>
<header><h1 dir="auto">${title}</h1>${intro}</header>
<main>
${cards === '' ? `<p class="meta">${escapeHtml(words.empty)}</p>` : `<ol class="cards">\n${cards}\n</ol>`}
</main>
</body>
</html>
`;
}

function card(message: Archive['messages'][number], words: Words, pictures: ArchivePictures, when: (iso: string) => string): string {
  const author = message.author.handle === undefined || message.author.handle === message.author.name
    ? `<bdi class="name">${escapeHtml(message.author.name)}</bdi>`
    : `<bdi class="name">${escapeHtml(message.author.name)}</bdi> <bdi class="handle">${escapeHtml(message.author.handle)}</bdi>`;
  const labels = [
    message.badge === undefined ? '' : `<span class="badge">${escapeHtml(words[message.badge])}</span>`,
    message.pinned ? `<span class="badge">${escapeHtml(words.pinned)}</span>` : '',
    isDecided(message) ? `<span class="status status-${message.status}">${escapeHtml(words.status[message.status])}</span>` : '',
  ].join('');
  const body = `${message.text === '' ? '' : `<p class="text" dir="auto">${escapeHtml(message.text)}</p>`}${media(message.media, words, pictures)}`;
  // As on the wall: a post behind a content warning shows the warning; here a reader may open it (no script:
  // <details> does it), since the archive is read by someone who chooses to.
  const content =
    message.contentWarning === undefined
      ? body
      : message.contentRevealed
        ? `<p class="warning" dir="auto">${escapeHtml(message.contentWarning)}</p>${body}`
        : `<details><summary class="warning" dir="auto">${escapeHtml(message.contentWarning)}</summary>${body}</details>`;
  const decision = isDecided(message)
    ? `<p class="decision">${[
        message.decidedBy === null ? '' : `${escapeHtml(words.decided)} <bdi>${escapeHtml(message.decidedBy)}</bdi>`,
        message.decidedAt === null ? '' : when(message.decidedAt),
        message.reasons.length === 0 ? '' : `${escapeHtml(words.reasons)}: <bdi>${escapeHtml(message.reasons.join(', '))}</bdi>`,
      ]
        .filter((part) => part !== '')
        .join(' · ')}</p>`
    : '';
  const channel = NETWORKS[message.source] ?? words.channel[message.channel];
  return `<li class="card${message.pinned ? ' pinned' : ''}" id="m${message.id}" data-id="${message.id}">
<p class="author">${author}${labels}</p>
${content}
<p class="meta">${when(message.createdAt)} · ${escapeHtml(channel)}</p>${decision}
</li>`;
}

/** A message's pictures: the embedded ones as images, the others by their description (never their address). */
function media(items: WallMessage['media'], words: Words, pictures: ArchivePictures): string {
  const parts = items.map((item: MediaItem) => {
    const embedded = pictures.embedded.get(item.url);
    if (embedded !== undefined) return `<img src="${escapeHtml(embedded)}" alt="${escapeHtml(item.alt ?? '')}" loading="lazy">`;
    const alt = item.alt === undefined || item.alt.trim() === '' ? '' : `: ${item.alt}`;
    return `<p class="missing" dir="auto">${escapeHtml(`${words.pictureNotIncluded}${alt}`)}</p>`;
  });
  return parts.length === 0 ? '' : `<div class="media">${parts.join('')}</div>`;
}

/** The page's look: readable printed or on a phone, light, no font to load. */
const STYLE = `
:root{--accent:#3b5bdb;--text:#1d1f24;--muted:#5c6370;--surface:#fff;--background:#f3f4f7;--line:#dfe2e8;color-scheme:light}
*{box-sizing:border-box}
body{margin:0;background:var(--background);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
header{padding:2rem 1.25rem 1rem;max-width:72rem;margin:0 auto;border-bottom:4px solid var(--accent)}
h1{margin:0 0 .25rem;font-size:2rem;line-height:1.2;overflow-wrap:anywhere}
main{max-width:72rem;margin:0 auto;padding:1.25rem}
.cards{list-style:none;margin:0;padding:0;columns:20rem auto;column-gap:1rem}
.card{break-inside:avoid;margin:0 0 1rem;padding:1rem;background:var(--surface);border:1px solid var(--line);border-radius:.75rem}
.card.pinned{border-color:var(--accent);border-width:2px}
.card p{margin:0 0 .5rem}
.author{font-weight:600;overflow-wrap:anywhere}
.handle{font-weight:400;color:var(--muted)}
.badge,.status{display:inline-block;margin-left:.5rem;padding:0 .5rem;border-radius:1rem;font-size:.75rem;font-weight:600;background:var(--accent);color:#fff;vertical-align:middle}
.status{background:var(--muted)}
.status-approved{background:#2b8a3e}
.status-rejected{background:#c92a2a}
.text{white-space:pre-wrap;overflow-wrap:anywhere;font-size:1.125rem}
.warning{font-weight:600;color:#a35200;overflow-wrap:anywhere}
summary.warning{cursor:pointer;margin-bottom:.5rem}
.media img{display:block;max-width:100%;height:auto;margin:0 0 .5rem;border-radius:.5rem}
.missing{font-style:italic;color:var(--muted)}
.meta,.decision{color:var(--muted);font-size:.875rem}
.notice{padding:.5rem .75rem;background:#fff3bf;border-radius:.5rem}
@media print{body{background:#fff}.card{border-color:#999}}
`;
