import { describe, expect, it } from 'vitest';
import { MAX_STATUS_HTML_CHARS, statusHtmlToText } from '../../server/sources/status-html.js';

describe('statusHtmlToText', () => {
  it('separates paragraphs with a blank line and keeps <br> as a line break', () => {
    expect(statusHtmlToText('<p>Premier paragraphe<br>suite</p><p>Second</p>')).toBe('Premier paragraphe\nsuite\n\nSecond');
  });

  it('reads a hashtag link and a mention as they are written', () => {
    const html =
      '<p><span class="h-card"><a href="https://piaille.fr/@alice" class="u-url mention">@<span>alice</span></a></span> ' +
      'bravo <a href="https://piaille.fr/tags/capcomnet" class="mention hashtag" rel="tag">#<span>capcomnet</span></a></p>';
    expect(statusHtmlToText(html)).toBe('@alice bravo #capcomnet');
  });

  it('shows the whole URL of a link that Mastodon shortened with invisible spans', () => {
    const html =
      '<p>Slides: <a href="https://example.com/page/that/is/very/long" rel="nofollow noopener" target="_blank">' +
      '<span class="invisible">https://</span><span class="ellipsis">example.com/page</span>' +
      '<span class="invisible">/that/is/very/long</span></a></p>';
    expect(statusHtmlToText(html)).toBe('Slides: https://example.com/page/that/is/very/long');
  });

  it('decodes character references exactly once, so escaped markup stays text', () => {
    expect(statusHtmlToText('<p>c&#39;est &amp; &eacute;t&eacute; &lt;b&gt; &amp;lt;script&amp;gt;</p>')).toBe(
      "c'est & été <b> &lt;script&gt;",
    );
  });

  it('collapses whitespace as HTML does and keeps no-break spaces', () => {
    expect(statusHtmlToText('<p>  lots \n\t of   space\u00a0: </p>')).toBe('lots of space\u00a0:');
  });

  it('drops the content of <script> and <style>', () => {
    expect(statusHtmlToText('<p>before<script>alert("<p>x</p>")</script><style>p { color: red }</style>after</p>')).toBe('beforeafter');
  });

  it('keeps only the text of a javascript: link and of elements with event handlers', () => {
    const html = '<p><a href="javascript:alert(1)">click</a> <img src=x onerror="alert(2)"><b onmouseover="alert(3)">bold</b></p>';
    const text = statusHtmlToText(html);
    expect(text).toBe('click bold');
    expect(text).not.toMatch(/javascript|onerror|onmouseover|alert/);
  });

  it('reads nested and unclosed tags without losing text', () => {
    expect(statusHtmlToText('<p>one <b><i>two <span>three')).toBe('one two three');
    expect(statusHtmlToText('</p>stray</br>closing</span> tags')).toBe('stray\nclosing tags');
  });

  it('drops comments and CDATA sections, which HTML reads as comments', () => {
    expect(statusHtmlToText('a<!-- <script>x</script> -->b<![CDATA[<img src=x onerror=alert(1)>]]>c')).toBe('abc');
  });

  it('drops a tag cut off at the end of the input', () => {
    expect(statusHtmlToText('<p>fin <a href="https://x.example/" onclick="al')).toBe('fin');
  });

  it('lists items on lines of their own', () => {
    expect(statusHtmlToText('<p>Programme</p><ul><li>Keynote</li><li>Ateliers</li></ul>')).toBe('Programme\n\n• Keynote\n• Ateliers');
  });

  it('reads only the first 64 KiB of a 1 MiB status, quickly', () => {
    const html = `<p>${'a'.repeat(1024 * 1024)}</p>`;
    const started = performance.now();
    const text = statusHtmlToText(html);
    expect(performance.now() - started).toBeLessThan(500);
    expect(text.length).toBeLessThanOrEqual(MAX_STATUS_HTML_CHARS);
    expect(text).toMatch(/^a+$/);
  });

  it('never cuts a character in half at the 64 KiB bound', () => {
    const html = `${'a'.repeat(MAX_STATUS_HTML_CHARS - 1)}😀tail`;
    const text = statusHtmlToText(html);
    expect(text).toBe('a'.repeat(MAX_STATUS_HTML_CHARS - 1));
  });

  it('converts 14,000 nested unclosed tags in linear time', () => {
    const html = `${'<span><b>'.repeat(7000)}deep${'</i>'.repeat(1000)}`;
    const started = performance.now();
    expect(statusHtmlToText(html)).toBe('deep');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
