import { svg, type SVGTemplateResult } from 'lit';

/**
 * Small glyphs for where a contribution came from, drawn for Toile on a 24-unit grid with round strokes in
 * `currentColor` (so they take the card's colours and any theme). They suggest the channel without
 * copying any network's logo: a speech bubble for SMS, an envelope, a bubble with an "m" for Mastodon, a
 * butterfly of four petals for Bluesky, a crossed pair of strokes for X, a globe for the web form and
 * braces for the API. The element that uses them wraps them in `<svg role="img" aria-label>`.
 */

export type ChannelGlyph = 'sms' | 'email' | 'mastodon' | 'bluesky' | 'x' | 'web' | 'api' | 'social';

const GLYPHS: Record<ChannelGlyph, SVGTemplateResult> = {
  sms: svg`<path d="M4 6.5A2.5 2.5 0 0 1 6.5 4h11A2.5 2.5 0 0 1 20 6.5v7a2.5 2.5 0 0 1-2.5 2.5H10l-4.5 4v-4h0A1.5 1.5 0 0 1 4 14.5z" />
    <circle class="dot" cx="8.5" cy="10" r="1.1" /><circle class="dot" cx="12" cy="10" r="1.1" /><circle class="dot" cx="15.5" cy="10" r="1.1" />`,
  email: svg`<rect x="3" y="5.5" width="18" height="13" rx="2.2" /><path d="M3.8 7l8.2 6.2L20.2 7" />`,
  mastodon: svg`<path d="M5 5.5A2.5 2.5 0 0 1 7.5 3h9A2.5 2.5 0 0 1 19 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10c-1.6 0-2.5 1-2.5 2.4 0 1 .8 1.9 2.6 2.1-3.1.3-5.1-1-5.1-4z" />
    <path d="M8.5 12.5V9a1.75 1.75 0 0 1 3.5 0v3.5M12 9a1.75 1.75 0 0 1 3.5 0v3.5" />`,
  bluesky: svg`<path d="M12 11.5C10.2 7.6 7.4 5 5 5c-1.6 0-2 1.5-1.6 3.3.5 2.3 2.6 3.6 5.1 3.5" />
    <path d="M12 11.5c1.8-3.9 4.6-6.5 7-6.5 1.6 0 2 1.5 1.6 3.3-.5 2.3-2.6 3.6-5.1 3.5" />
    <path d="M8.5 11.8c-2.3.6-3.6 2.2-3 3.8.7 1.9 3.2 2.2 4.8.4.8-.9 1.3-2.4 1.7-4.5" />
    <path d="M15.5 11.8c2.3.6 3.6 2.2 3 3.8-.7 1.9-3.2 2.2-4.8.4-.8-.9-1.3-2.4-1.7-4.5" />`,
  x: svg`<path d="M5 4.5l14 15M19 4.5l-14 15" />`,
  web: svg`<circle cx="12" cy="12" r="8.5" /><path d="M3.5 12h17M12 3.5c2.4 2.3 3.6 5.2 3.6 8.5s-1.2 6.2-3.6 8.5c-2.4-2.3-3.6-5.2-3.6-8.5S9.6 5.8 12 3.5z" />`,
  api: svg`<path d="M9 4.5c-2 0-2.8.9-2.8 2.6v2.3c0 1.4-.7 2.3-2.2 2.6 1.5.3 2.2 1.2 2.2 2.6v2.3c0 1.7.8 2.6 2.8 2.6M15 4.5c2 0 2.8.9 2.8 2.6v2.3c0 1.4.7 2.3 2.2 2.6-1.5.3-2.2 1.2-2.2 2.6v2.3c0 1.7-.8 2.6-2.8 2.6" />`,
  social: svg`<path d="M9.5 4l-2 16M16.5 4l-2 16M4.5 9h16M3.5 15h16" />`,
};

/** The glyph for a message's channel and, for social posts, its network. */
export function channelGlyph(channel: string, source?: string): ChannelGlyph {
  if (channel === 'social') {
    if (source === 'mastodon' || source === 'bluesky' || source === 'x') return source;
    return 'social';
  }
  if (channel === 'sms' || channel === 'email' || channel === 'web' || channel === 'api') return channel;
  return 'social';
}

/** The inside of the `<svg viewBox="0 0 24 24">` for a glyph. */
export function glyph(name: ChannelGlyph): SVGTemplateResult {
  return GLYPHS[name];
}
