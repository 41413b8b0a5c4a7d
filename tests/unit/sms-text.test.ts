import { describe, expect, it } from 'vitest';
import { maskPhoneNumbers } from '../../server/domain/mask.js';
import { controlKeyword, splitNamePrefix, stripKeyword } from '../../server/domain/sms.js';

describe('control keywords', () => {
  it('recognizes a whole message that is an opt-out, opt-in or help word, in any case', () => {
    for (const word of ['STOP', 'stop', ' Stop! ', 'STOPALL', 'unsubscribe', 'Cancel', 'END', 'quit', 'REVOKE', 'optout', 'ARRET', 'Arrêt', 'ＳＴＯＰ']) {
      expect(controlKeyword(word)).toBe('opt-out');
    }
    expect(controlKeyword('START')).toBe('opt-in');
    expect(controlKeyword('unstop')).toBe('opt-in');
    expect(controlKeyword('Help')).toBe('help');
    expect(controlKeyword('info.')).toBe('help');
  });

  it('leaves messages that only contain such a word alone', () => {
    for (const text of ['stop the music', 'Never stop', 'STOP STOP', 'helpful', 'the end', 'S T O P', '']) {
      expect(controlKeyword(text)).toBeNull();
    }
  });
});

describe('"Name: message"', () => {
  it('takes one to four words of letters before a colon and a space as the name', () => {
    expect(splitNamePrefix('Marie: Bravo !')).toEqual({ name: 'Marie', text: 'Bravo !' });
    expect(splitNamePrefix('Jean-Luc O’Neil : super')).toEqual({ name: 'Jean-Luc O’Neil', text: 'super' });
    expect(splitNamePrefix('Zoé: ligne 1\nligne 2')).toEqual({ name: 'Zoé', text: 'ligne 1\nligne 2' });
  });

  it('does not mistake a URL, a time, a long sentence or an empty message for a name', () => {
    for (const text of ['https://example.org', '12:30 salle B', 'Question pour le panel de ce matin: pourquoi ?', 'Marie:', 'Marie:bravo', '06 12 34 56 78: hello']) {
      expect(splitNamePrefix(text)).toBeNull();
    }
  });
});

describe('a wall’s required keyword', () => {
  it('strips the keyword at the start, with or without "#", ignoring case and accents', () => {
    expect(stripKeyword('MUR Bravo', 'mur')).toBe('Bravo');
    expect(stripKeyword('#capcomnet: hello', 'capcomnet')).toBe('hello');
    expect(stripKeyword('capcomnet hello', '#capcomnet')).toBe('hello');
    expect(stripKeyword('  Mûr, bravo', 'MUR')).toBe('bravo');
    expect(stripKeyword('MUR', 'MUR')).toBe('');
  });

  it('refuses a text that does not start with the whole keyword', () => {
    expect(stripKeyword('MURAL bravo', 'MUR')).toBeNull();
    expect(stripKeyword('bravo MUR', 'MUR')).toBeNull();
    expect(stripKeyword('', 'MUR')).toBeNull();
  });
});

describe('phone numbers typed in a message', () => {
  it('masks every format of number, keeping only the last two digits', () => {
    expect(maskPhoneNumbers('appelez le 06 12 34 56 78 ou le +33 6 98 76 54 32')).toBe('appelez le ••78 ou le ••32');
    expect(maskPhoneNumbers('+1 (925) 392-0364, 0612345678, 06.12.34.56.79, +447911123456')).toBe('••64, ••78, ••79, ••56');
  });

  it('leaves dates, years, times, amounts and short numbers alone', () => {
    const text = 'Le 29/11/2026 à 14:30, salle 12, 2025-2026, 1 500 participants, 12.50 €, code 123456';
    expect(maskPhoneNumbers(text)).toBe(text);
  });

  it('stays linear on long runs of digits and separators', () => {
    const started = performance.now();
    maskPhoneNumbers('1 '.repeat(200_000) + '1-'.repeat(200_000));
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
