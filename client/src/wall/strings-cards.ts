import { defineStrings } from '../shared/i18n.js';

/** The words of the wall's cards and layouts, in English and French. */
export const t = defineStrings({
  en: {
    pinned: 'Pinned',
    earlier: 'Earlier',
    contentWarning: 'Content warning',
    speaker: 'Speaker',
    organiser: 'Organiser',
    imageWithoutAlt: 'Picture shared with the message',
    otherMessages: 'Messages',
    familySocial: 'Social',
    familySms: 'SMS',
    familyEmail: 'Email',
    familyWeb: 'Web & API',
    recent: 'Recent',
    tickerLabel: 'Latest contributions',
    emptyColumn: 'Nothing yet',
  },
  fr: {
    pinned: 'Épinglé',
    earlier: 'Plus tôt',
    contentWarning: 'Avertissement',
    speaker: 'Intervenant·e',
    organiser: 'Organisation',
    imageWithoutAlt: 'Image jointe au message',
    otherMessages: 'Messages',
    familySocial: 'Réseaux sociaux',
    familySms: 'SMS',
    familyEmail: 'E-mail',
    familyWeb: 'Web et API',
    recent: 'Récents',
    tickerLabel: 'Dernières contributions',
    emptyColumn: 'Rien pour l’instant',
  },
});
