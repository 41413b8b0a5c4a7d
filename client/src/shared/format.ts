import type { Language } from './i18n.js';
import type { Channel } from './types.js';

/** How each channel is named on a card: short, so it reads at a glance from the back of a room. */
export const CHANNEL_LABELS: Record<Channel, string> = {
  sms: 'SMS',
  email: 'Email',
  social: 'Social',
  web: 'Web',
  api: 'API',
};

/** The French names where they differ from the English ones ("SMS", "API" and "Web" are the same words). */
const CHANNEL_LABELS_FR: Partial<Record<Channel, string>> = { email: 'E-mail', social: 'Réseaux sociaux' };

/** Social posts are named by their network, which is what a reader recognises, in either language. */
const SOURCE_LABELS: Record<string, string> = { mastodon: 'Mastodon', bluesky: 'Bluesky', x: 'X' };

export function channelLabel(channel: string, source?: string, lang: Language = 'en'): string {
  if (channel === 'social' && source !== undefined && SOURCE_LABELS[source] !== undefined) return SOURCE_LABELS[source];
  if (lang === 'fr') {
    const french = (CHANNEL_LABELS_FR as Record<string, string | undefined>)[channel];
    if (french !== undefined) return french;
  }
  return (CHANNEL_LABELS as Record<string, string>)[channel] ?? channel;
}

/** Formatters are built once per language: building one costs more than formatting with it. */
const relativeFormats = new Map<Language, Intl.RelativeTimeFormat>();
const JUST_NOW: Record<Language, string> = { en: 'just now', fr: 'à l’instant' };

function relativeFormat(lang: Language): Intl.RelativeTimeFormat {
  let format = relativeFormats.get(lang);
  if (format === undefined) {
    format = new Intl.RelativeTimeFormat(lang, { numeric: 'auto', style: 'long' });
    relativeFormats.set(lang, format);
  }
  return format;
}

/**
 * "just now", "3 minutes ago", "2 hours ago", then the date ("à l’instant", "il y a 3 minutes", "il y a
 * 2 heures" in French): precise enough for a live wall.
 */
export function relativeTime(iso: string, now: number, lang: Language = 'en'): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  // A clock a little ahead of the viewer's must not read "in 1 minute".
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 45) return JUST_NOW[lang];
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return relativeFormat(lang).format(-minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (hours < 24) return relativeFormat(lang).format(-hours, 'hour');
  return new Date(then).toLocaleDateString(lang, { day: 'numeric', month: 'short' });
}

/** What the server's reasons mean, in the words a moderator reads at a glance. */
const REASON_LABELS: Record<string, string> = {
  empty: 'Empty once cleaned',
  throttled: 'Sender over the SMS rate limit',
  'opted-out': 'Sender texted STOP',
  'missing-keyword': 'Does not start with the wall’s keyword',
  incomplete: 'Long SMS with a missing part',
  'publish-delay': 'Waiting for the broadcast delay',
  'media-too-large': 'Picture too large',
  'media-not-an-image': 'Attachment is not a picture',
  'media-timeout': 'Picture took too long to fetch',
  'media-unreachable': 'Picture could not be fetched',
  'media-too-many-redirects': 'Picture could not be fetched',
  'media-bad-url': 'Picture could not be fetched',
  'malformed-mime': 'Damaged email: only what could be read',
  'spam-score': 'Marked as spam by the provider',
  'auto-submitted': 'Automatic email',
  'auto-reply': 'Automatic reply',
  'bounce-report': 'Bounce or delivery report',
  'empty-envelope-sender': 'Email without a return address',
  'mailer-daemon': 'Email from a mail server',
  bulk: 'Bulk email',
  'mailing-list': 'Mailing-list email',
  edited: 'Edited by its author after approval',
  'deleted-by-author': 'Deleted by its author',
  link: 'Contains a link',
  duplicate: 'Same text sent again recently',
  'sender-rate': 'Sender is sending too fast',
  'blocked-sender': 'Blocked sender: held silently',
};

/** The same, in French: what a French-speaking moderator reads. */
const REASON_LABELS_FR: Record<string, string> = {
  empty: 'Vide une fois nettoyé',
  throttled: 'Expéditeur au-delà de la limite de SMS',
  'opted-out': 'L’expéditeur a envoyé STOP',
  'missing-keyword': 'Ne commence pas par le mot-clé du mur',
  incomplete: 'SMS long dont une partie manque',
  'publish-delay': 'En attente du délai de diffusion',
  'media-too-large': 'Image trop lourde',
  'media-not-an-image': 'La pièce jointe n’est pas une image',
  'media-timeout': 'Image trop longue à récupérer',
  'media-unreachable': 'Image impossible à récupérer',
  'media-too-many-redirects': 'Image impossible à récupérer',
  'media-bad-url': 'Image impossible à récupérer',
  'malformed-mime': 'E-mail abîmé : seulement ce qui a pu être lu',
  'spam-score': 'Marqué comme spam par le fournisseur',
  'auto-submitted': 'E-mail automatique',
  'auto-reply': 'Réponse automatique',
  'bounce-report': 'Rapport de non-remise',
  'empty-envelope-sender': 'E-mail sans adresse de retour',
  'mailer-daemon': 'E-mail d’un serveur de messagerie',
  bulk: 'E-mail de masse',
  'mailing-list': 'E-mail de liste de diffusion',
  edited: 'Modifié par son auteur après approbation',
  'deleted-by-author': 'Supprimé par son auteur',
  link: 'Contient un lien',
  duplicate: 'Même texte déjà reçu récemment',
  'sender-rate': 'L’expéditeur envoie trop vite',
  'blocked-sender': 'Expéditeur bloqué : retenu sans le lui dire',
};

/**
 * `blocked-term:foo` → `Blocked term “foo”`; `profanity:foo` → `Profanity “foo”`; `media-http-401` →
 * `Picture refused (HTTP 401)`, in English or French; others as they are, so that a reason this console does
 * not know yet still shows.
 */
export function reasonLabel(reason: string, lang: Language = 'en'): string {
  const french = lang === 'fr';
  const known = (french ? REASON_LABELS_FR : REASON_LABELS)[reason];
  if (known !== undefined) return known;
  if (reason.startsWith('blocked-term:')) return `${french ? 'Terme bloqué' : 'Blocked term'} “${reason.slice('blocked-term:'.length)}”`;
  if (reason.startsWith('profanity:')) return `${french ? 'Grossièreté' : 'Profanity'} “${reason.slice('profanity:'.length)}”`;
  const http = /^media-http-(\d{3})$/.exec(reason);
  if (http) return french ? `Image refusée (HTTP ${http[1]})` : `Picture refused (HTTP ${http[1]})`;
  return reason;
}
