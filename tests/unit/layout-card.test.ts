import { describe, expect, it } from 'vitest';
import { colourForName, graphemeCount, initialOf, isEmojiOnly, PALETTE, readableOn, tagColour, textSize } from '../../client/src/wall/card-look.js';

describe('how large a card’s text is', () => {
  it('reads a short shout-out very large and a long message small enough to fit', () => {
    expect(textSize('Bravo !')).toBe('xl');
    expect(textSize('Thanks for the great session on community radio this morning')).toBe('l');
    expect(textSize('word '.repeat(25))).toBe('m');
    expect(textSize('word '.repeat(50))).toBe('s');
    expect(textSize('word '.repeat(100))).toBe('xs');
  });

  it('counts what a reader sees: a family emoji or an accent typed apart is one character', () => {
    expect(graphemeCount('👩‍👩‍👧‍👦')).toBe(1);
    expect(graphemeCount('e\u0301te\u0301')).toBe(3);
    expect(textSize('👩‍👩‍👧‍👦'.repeat(30))).not.toBe('xs');
  });

  it('gives many short lines the room of a paragraph', () => {
    const poem = 'Roses\nare\nred\nviolets\nare\nblue';
    expect(textSize(poem)).not.toBe('xl');
    expect(textSize(poem.replace(/\n/g, ' '))).toBe('xl');
  });

  it('shows a few emoji as large as a reaction, and not a text that merely contains some', () => {
    expect(isEmojiOnly('👏👏👏')).toBe(true);
    expect(isEmojiOnly('🇫🇷 ❤️')).toBe(true);
    expect(isEmojiOnly('1️⃣')).toBe(true);
    expect(isEmojiOnly('Bravo 👏')).toBe(false);
    expect(isEmojiOnly('2026')).toBe(false);
    expect(isEmojiOnly('   ')).toBe(false);
    expect(textSize('👏👏👏')).toBe('emoji');
    expect(textSize('👏'.repeat(20))).not.toBe('emoji');
  });
});

describe('an author’s initial badge', () => {
  it('shows the first letter of the name in capitals, whatever comes before it', () => {
    expect(initialOf('jeanne')).toBe('J');
    expect(initialOf('  @élodie')).toBe('É');
    expect(initialOf('')).toBe('?');
    expect(initialOf('👩‍💻 Ana')).toBe('👩‍💻');
  });

  it('keeps one colour per name, from the palette, on every screen', () => {
    expect(colourForName('Jeanne')).toBe(colourForName('Jeanne'));
    expect(PALETTE).toContain(colourForName('Jeanne'));
    const colours = new Set(['Ana', 'Bruno', 'Chloé', 'David', 'Eve', 'Farid', 'Gaëlle', 'Hugo'].map(colourForName));
    expect(colours.size).toBeGreaterThan(3);
  });

  it('writes on it in black or white, whichever reads better', () => {
    expect(readableOn('#ffb020')).toBe('#000000');
    expect(readableOn('#1d3557')).toBe('#ffffff');
    expect(readableOn('not a colour')).toBe('#000000');
  });
});

describe('a hashtag’s colour', () => {
  const hashtags = ['capcomnet', 'paris20', 'ateliers'];

  it('is the organiser’s when they chose one', () => {
    expect(tagColour('paris20', hashtags, { paris20: '#123456' })).toBe('#123456');
  });

  it('is the palette’s by the tag’s place in the wall’s list otherwise, so two events differ', () => {
    expect(tagColour('capcomnet', hashtags)).toBe(PALETTE[0]);
    expect(tagColour('paris20', hashtags)).toBe(PALETTE[1]);
    expect(tagColour('capcomnet', hashtags)).not.toBe(tagColour('paris20', hashtags));
  });

  it('ignores a chosen colour that is not #rrggbb, which could otherwise inject CSS', () => {
    expect(tagColour('paris20', hashtags, { paris20: 'red; background: url(https://evil.example)' })).toBe(PALETTE[1]);
  });
});
