/**
 * The words the profanity rule holds, in English and French. They are read with Toile's own matcher (whole
 * words after the evasions are undone, see `rules.ts`), not with the libraries' matchers: those match inside
 * words, or miss words hidden by a zero-width character, and the rule must do neither.
 *
 * English comes from two maintained lists: obscenity's English dataset (its root words, with the slurs) and
 * @2toad/profanity's English list (which spells out the inflections: "fucking", "bitches"). Both libraries
 * aim at chat filters, where holding an ordinary word costs nothing; on an event wall it costs a moderator's
 * attention, so the ordinary words and names below are left out.
 *
 * French is Toile's own list. @2toad/profanity's French list is a machine translation of its English one
 * ("les", "pour", "feu", "bouton", "retard" are in it) and would hold nearly every French sentence.
 */
import { profaneWords } from '@2toad/profanity';
import { DataSet, englishDataset } from 'obscenity';
import { foldedWords, formsOf } from './evasion.js';
import { normalizeText } from './normalize.js';

/**
 * Listed by a library, but ordinary words, names or clinical terms that an event's audience writes
 * innocently: "pawn" (chess), "cox" and "wang" (names), "flange", "hooker" (rugby), "scat" (jazz), "cum"
 * ("magna cum laude"), "retard" (French for "late"), "fanny" (a French first name), "homo" (sapiens),
 * "kock" (Swedish for "cook"), "kummer" (German for "sorrow"), "abo" (French for a subscription), "rape" (what
 * "râpé", grated, reads as once accents are folded).
 */
const ORDINARY_ENGLISH = new Set([
  'abo', 'anus', 'balls', 'bloody', 'breasts', 'bum', 'butt', 'butts', 'cipa', 'clitoris', 'cox', 'cum', 'cums', 'dink', 'dinks',
  'ejaculate', 'ejaculated', 'ejaculates', 'ejaculating', 'ejaculation', 'fanny', 'flange', 'gaylord', 'hoar', 'hoes',
  'homo', 'hooker', 'incest', 'kock', 'kum', 'kummer', 'kums', 'labia', 'lust', 'lusting', 'masochist', 'muff', 'nazi',
  'nob', 'pawn', 'penis', 'poop', 'rape', 'rectum', 'retard', 'sadist', 'scat', 'screwing', 'scrotum', 'semen', 'sex', 'shag',
  'snatch', 'spunk', 'testical', 'testicle', 'tit', 'vagina', 'vulva', 'wang', 'willies', 'willy',
]);

/**
 * French insults, slurs and swear words, with their inflections. "con", "cul" and "bite" alone are English
 * words too ("pros and cons", "cul-de-sac", "a bite to eat"), so they are held only in the phrases that make
 * them insults.
 */
const FRENCH = [
  'bâtard', 'bâtards', 'bâtarde', 'bordel', 'bougnoule', 'bougnoules', 'branleur', 'branleurs', 'branleuse',
  'branlette', 'chatte', 'chattes', 'chier', 'connard', 'connards', 'connasse', 'connasses', 'conne', 'connes',
  'connerie', 'conneries', 'couille', 'couilles', 'couillon', 'couillons', 'emmerde', 'emmerder', 'emmerdeur',
  'emmerdeurs', 'emmerdeuse', 'encule', 'enculé', 'enculée', 'enculés', 'enculées', 'enculer', 'enculeur', 'enfoiré',
  'enfoirée', 'enfoirés', 'enfoirées', 'fdp', 'foutre', 'gouine', 'gouines', 'grognasse', 'merde', 'merdes', 'merdeux',
  'merdique', 'nègre', 'nègres', 'négresse', 'nique', 'niquer', 'niqué', 'niquez', 'ntm', 'pédé', 'pédés',
  'pétasse', 'pétasses', 'pouffiasse', 'pouffiasses', 'putain', 'putains', 'pute', 'putes', 'salaud', 'salauds',
  'salope', 'salopes', 'salopard', 'salopards', 'tarlouze', 'tarlouzes', 'youpin', 'youpins',
  'pauvre con', 'gros con', 'sale con', 'petit con', 'espèce de con', 'bande de cons', 'quel con', 'va te faire foutre',
  'ta gueule', 'ferme ta gueule', 'fils de pute', 'nique ta mère', 'trou du cul', 'trou de cul', 'lèche-cul',
  'gros cul', 'mon cul', 'ton cul', 'tête de bite', 'ma bite', 'ta bite', 'sa bite', 'grosse bite', 'suce ma bite',
  'suceur de bite', 'baise-moi',
];

/** The root words of obscenity's English dataset, through its public API (each phrase carries its word). */
function obscenityWords(): string[] {
  const words = new Set<string>();
  new DataSet<{ originalWord: string }>().addAll(englishDataset).removePhrasesIf((phrase) => {
    if (phrase.metadata?.originalWord) words.add(phrase.metadata.originalWord);
    return true;
  });
  return [...words];
}

/** Whether an entry is, or contains, one of the ordinary words, in any spelling ("f4nny" is "fanny"). */
function spellsOrdinaryWord(entry: string): boolean {
  return foldedWords(normalizeText(entry)).some((word) => formsOf(word).spellings.some((spelling) => ORDINARY_ENGLISH.has(spelling)));
}

/** Every word and phrase the profanity rule holds, as the lists spell them (the spelling shown in the reason). */
export function profanityList(): string[] {
  const english = [...obscenityWords(), ...(profaneWords.get('en') ?? [])].filter((entry) => !spellsOrdinaryWord(entry));
  return [...new Set([...english, ...FRENCH])];
}
