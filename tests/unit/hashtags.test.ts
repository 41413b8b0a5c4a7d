import { describe, expect, it } from 'vitest';
import { hashtagKey, hashtagKeysIn, matchWallHashtags } from '../../client/src/shared/hashtags.js';

describe('which of a wall’s hashtags a card carries', () => {
  it('finds the wall’s hashtags in a text, in the wall’s order and as the wall writes them', () => {
    expect(matchWallHashtags('Great talk at #Paris20 and #capcomnet!', ['capcomnet', 'paris20'])).toEqual(['capcomnet', 'paris20']);
    expect(matchWallHashtags('Bravo #CapComNet', ['CapComNet', 'paris20'])).toEqual(['CapComNet']);
  });

  it('ignores case, accents, full-width letters and invisible characters, as the server’s routing does', () => {
    const wall = ['capcomnet', 'fête'];
    expect(matchWallHashtags('#CAPCOMNÉT', wall)).toEqual(['capcomnet']);
    expect(matchWallHashtags('＃ｃａｐｃｏｍｎｅｔ', wall)).toEqual(['capcomnet']);
    expect(matchWallHashtags('#cap\u200bcomnet', wall)).toEqual(['capcomnet']);
    expect(matchWallHashtags('#FETE ce soir', wall)).toEqual(['fête']);
    // "é" typed as e + combining accent is the same tag.
    expect(matchWallHashtags('#fe\u0302te', wall)).toEqual(['fête']);
  });

  it('does not take a word that merely contains the tag, a longer tag, or a bare word for the hashtag', () => {
    const wall = ['capcomnet'];
    expect(matchWallHashtags('#capcomnet2026 is next year', wall)).toEqual([]);
    expect(matchWallHashtags('capcomnet without the sign', wall)).toEqual([]);
    expect(matchWallHashtags('see https://example.org/#capcomnet', wall)).toEqual([]);
    expect(matchWallHashtags('an entity &#capcomnet', wall)).toEqual([]);
    expect(matchWallHashtags('word#capcomnet', wall)).toEqual([]);
  });

  it('names each tag once however often the text repeats it, and nothing for a wall without hashtags', () => {
    expect(matchWallHashtags('#capcomnet #CapComNet #capcomnet', ['capcomnet'])).toEqual(['capcomnet']);
    expect(matchWallHashtags('#capcomnet', [])).toEqual([]);
    expect(matchWallHashtags('', ['capcomnet'])).toEqual([]);
  });

  it('compares tags by a key without the sign, case or accents', () => {
    expect(hashtagKey('#CapComNét')).toBe('capcomnet');
    expect(hashtagKey('Straße')).toBe('strasse');
    expect(hashtagKey('Ｐａｒｉｓ２０')).toBe('paris20');
    expect([...hashtagKeysIn('#Été #été #ete, #日本')]).toEqual(['ete', '日本']);
  });
});
