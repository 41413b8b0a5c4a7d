import { describe, expect, it } from 'vitest';
import {
  cleanSubject,
  combineSubjectAndBody,
  decodeEntities,
  htmlToText,
  stripQuotedReply,
  stripSignature,
} from '../../server/domain/email-text.js';

describe('stripQuotedReply', () => {
  it('keeps what the person wrote above an English attribution and drops the quoted history', () => {
    const text = [
      'Great talk, thanks!',
      '',
      'On Mon, Jun 2, 2025 at 10:04 AM Toile <mur@example.org> wrote:',
      '> Welcome to #capcomnet',
      '> Write to this address to appear on the wall.',
    ].join('\n');
    expect(stripQuotedReply(text)).toBe('Great talk, thanks!');
  });

  it('recognizes an attribution that Gmail wrapped over two lines', () => {
    const text = [
      'Bravo à toute l’équipe',
      '',
      'On Mon, Jun 2, 2025 at 10:04 AM Jeanne Dupont <',
      'jeanne.dupont@example.org> wrote:',
      '',
      'Unquoted history that Gmail sometimes leaves',
    ].join('\r\n');
    expect(stripQuotedReply(text)).toBe('Bravo à toute l’équipe');
  });

  it('recognizes a wrapped attribution broken at a space', () => {
    const text = 'Yes!\n\nOn Mon, Jun 2, 2025 at 10:04 AM Jeanne Dupont\n<jeanne@example.org> wrote:\n> Question?';
    expect(stripQuotedReply(text)).toBe('Yes!');
  });

  it.each([
    ['French', 'Le lun. 2 juin 2025 à 10:04, Toile <mur@example.org> a écrit\u202F:'],
    ['French (Apple Mail)', 'Le 2 juin 2025 à 10:04, Toile <mur@example.org> a écrit :'],
    ['German', 'Am Mo., 2. Juni 2025 um 10:04 Uhr schrieb Toile <mur@example.org>:'],
    ['Spanish', 'El lun, 2 jun 2025 a las 10:04, Toile (<mur@example.org>) escribió:'],
  ])('cuts at a %s attribution', (_language, attribution) => {
    expect(stripQuotedReply(`Merci !\n\n${attribution}\n\n> Bienvenue`)).toBe('Merci !');
  });

  it('keeps a sentence that only looks like an attribution because it has no date', () => {
    const text = 'On Monday my boss wrote:\nthe wall is great';
    expect(stripQuotedReply(text)).toBe(text);
  });

  it('cuts at Outlook\'s "-----Original Message-----"', () => {
    const text = 'Count me in.\n\n-----Original Message-----\nFrom: Toile\nSent: Monday\n\nWelcome';
    expect(stripQuotedReply(text)).toBe('Count me in.');
  });

  it('cuts at a French Outlook header block and the underscore rule above it', () => {
    const text = [
      'Super conférence, merci.',
      'Jeanne',
      '',
      '________________________________',
      'De : Toile <mur@example.org>',
      'Envoyé : lundi 2 juin 2025 10:04',
      'À : Jeanne Dupont <jeanne@example.org>',
      'Objet : Bienvenue',
      '',
      'Bienvenue au #capcomnet',
    ].join('\r\n');
    expect(stripQuotedReply(text)).toBe('Super conférence, merci.\nJeanne');
  });

  it('cuts at an English Outlook "From: … Sent: …" block, bold markers included', () => {
    const text = 'See you there\n\n*From:* Toile <mur@example.org>\n*Sent:* Monday, June 2, 2025 10:04 AM\n*To:* me\n\nWelcome';
    expect(stripQuotedReply(text)).toBe('See you there');
  });

  it('keeps a line starting with "From:" that opens no header block', () => {
    const text = 'From: the second row, we cannot see the slides\nPlease zoom in';
    expect(stripQuotedReply(text)).toBe(text);
  });

  it('keeps inline answers between quotes (bottom-posting)', () => {
    const text = [
      'On Mon, Jun 2, 2025 at 10:04 AM Toile <mur@example.org> wrote:',
      '> Which session did you like?',
      'The keynote.',
      '> Anything to improve?',
      'More coffee.',
    ].join('\n');
    expect(stripQuotedReply(text)).toBe('The keynote.\nMore coffee.');
  });

  it('leaves nothing of a message that is only Outlook history', () => {
    expect(stripQuotedReply('-----Original Message-----\nFrom: a\nSent: b\n\nold text')).toBe('');
  });

  it('keeps ">" lines when told they are not quotes (text converted from HTML)', () => {
    expect(stripQuotedReply('>>> VIDEO <<<\nNext', { quotedLines: false })).toBe('>>> VIDEO <<<\nNext');
    expect(stripQuotedReply('>>> VIDEO <<<\nNext')).toBe('Next');
  });

  it('reads a megabyte-long line without trying it as a reply header', () => {
    const long = `On ${'x'.repeat(1_000_000)} 2025 wrote:`;
    const started = performance.now();
    expect(stripQuotedReply(`${long}\nrest`)).toBe(`${long}\nrest`);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('stripSignature', () => {
  it('removes everything from the "-- " separator', () => {
    expect(stripSignature('See you at 2pm\n\n-- \nJeanne Dupont\nCEO, Example\n+33 6 12 34 56 78')).toBe('See you at 2pm');
  });

  it('removes everything from a bare "--" line too', () => {
    expect(stripSignature('Hello\n--\nJeanne')).toBe('Hello');
  });

  it('keeps "--" inside a line', () => {
    expect(stripSignature('Paris -- Lyon in 2h')).toBe('Paris -- Lyon in 2h');
  });

  it.each([
    'Sent from my iPhone',
    'Sent from my Galaxy',
    'Sent from my Samsung Galaxy smartphone.',
    'Envoyé de mon iPhone',
    'Envoyé depuis l’application Mail Orange',
    'Envoyé depuis mon appareil Galaxy',
    'Get Outlook for iOS<https://aka.ms/o0ukef>',
    'Get Outlook for Android',
    'Sent from Mail for Windows',
    'Sent from Outlook',
    'Von meinem iPhone gesendet',
    'Enviado desde mi iPhone',
  ])('removes the footer "%s" at the end', (footer) => {
    expect(stripSignature(`Bravo pour la conf !\n\n${footer}\n`)).toBe('Bravo pour la conf !');
  });

  it('removes footers stacked at the end, and keeps a footer-like line in the middle', () => {
    const text = 'I was sent from my team to ask a question.\nSent from my iPhone\nWhy now?\n\nSent from my iPhone\n\nGet Outlook for iOS';
    expect(stripSignature(text)).toBe('I was sent from my team to ask a question.\nSent from my iPhone\nWhy now?');
  });
});

describe('htmlToText', () => {
  it('turns blocks, paragraphs and <br> into line breaks and decodes entities', () => {
    const html = '<div>Bonjour&nbsp;à tous,<br>la salle est <b>pleine</b>&hellip;</div><p>Caf&eacute; &amp; cr&#xE8;me &#8212; 10&#8364;</p><p>fin</p>';
    expect(htmlToText(html)).toBe('Bonjour\u00A0à tous,\nla salle est pleine…\n\nCafé & crème — 10€\n\nfin');
  });

  it('drops <head>, <script>, <style> and comments, and never leaves markup', () => {
    const html = [
      '<html><head><meta charset="utf-8"><title>Newsletter</title><style>p { color: red }</style></head>',
      '<body><!-- tracking --><script>alert("<p>x</p>")</script><p onclick="steal()">Visible</p>',
      '<SCRIPT type="text/javascript">document.write("<b>")</SCRIPT></body></html>',
    ].join('');
    const text = htmlToText(html);
    expect(text).toBe('Visible');
  });

  it('drops the quoted history of an HTML reply (blockquote), nested ones too', () => {
    const html =
      '<div dir="ltr">Merci !</div><br><div class="gmail_quote"><div class="gmail_attr">Le lun. 2 juin 2025 à 10:04, Toile &lt;mur@example.org&gt; a écrit :<br></div>' +
      '<blockquote class="gmail_quote">Bienvenue<blockquote>older</blockquote>still quoted</blockquote></div>';
    const text = htmlToText(html);
    expect(text).not.toContain('Bienvenue');
    expect(text).not.toContain('older');
    expect(text).not.toContain('still quoted');
    expect(stripQuotedReply(text, { quotedLines: false })).toBe('Merci !');
  });

  it('reads a ">" inside an attribute value as part of the tag', () => {
    expect(htmlToText('<a title="a > b" href="x">link</a> <img alt=\'1 > 0\' src="y">end')).toBe('link end');
  });

  it('keeps a "<" that starts no tag as text', () => {
    expect(htmlToText('<p>a < b and 3 <3 you</p>')).toBe('a < b and 3 <3 you');
  });

  it('keeps the text of escaped markup as text, never as tags', () => {
    expect(htmlToText('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>')).toBe('<script>alert(1)</script>');
  });

  it('writes list items on their own lines and table cells apart', () => {
    expect(htmlToText('<ul><li>one</li><li>two</li></ul><table><tr><td>a</td><td>b</td></tr></table>')).toBe('• one\n• two\na b');
  });

  it('keeps whitespace inside <pre>', () => {
    expect(htmlToText('<pre>line 1\nline 2</pre>')).toBe('line 1\nline 2');
  });

  it('shows an emoji image by its alt text, but not the alt text of a logo', () => {
    expect(htmlToText('Bravo <img alt="👏" src="cid:1"> <img alt="Company logo" src="cid:2">')).toBe('Bravo 👏');
  });

  it('finds the end of a <script> after letters that grow when lower-cased', () => {
    expect(htmlToText('İİİİ<SCRIPT>hidden()</SCRIPT>après')).toBe('İİİİaprès');
  });

  it('drops everything after an unclosed <script> or <blockquote>', () => {
    expect(htmlToText('Before<script>never closed <p>hidden')).toBe('Before');
    expect(htmlToText('Before<blockquote>quoted, never closed')).toBe('Before');
  });

  it('converts a megabyte of deeply nested markup in linear time', () => {
    const html = `${'<div><b>'.repeat(100_000)}deep${'</b></div>'.repeat(100_000)}`;
    const started = performance.now();
    expect(htmlToText(html)).toBe('deep');
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('decodeEntities', () => {
  it('decodes numeric references, C1 ones as windows-1252 did, and refuses invalid code points', () => {
    expect(decodeEntities('&#150;&#x2019;&#0;&#xD800;&#128512;')).toBe('–’\uFFFD\uFFFD😀');
  });

  it('leaves unknown names and names without ";" alone', () => {
    expect(decodeEntities('AT&T &copy2025 &bogus; &amp;')).toBe('AT&T &copy2025 &bogus; &');
  });

  it('knows the Latin-1 and Greek names', () => {
    expect(decodeEntities('&Agrave;&yuml;&szlig;&Omega;&omega;&sigmaf;&euro;')).toBe('ÀÿßΩως€');
  });
});

describe('combineSubjectAndBody', () => {
  it('puts the subject on its own line above the body', () => {
    expect(combineSubjectAndBody('Question pour le panel', 'Quelle place pour l’IA ?')).toBe(
      'Question pour le panel\nQuelle place pour l’IA ?',
    );
  });

  it('drops reply and forward prefixes, repeated and in several languages', () => {
    expect(cleanSubject('RE : TR: Fwd: AW: Re[2]: Programme')).toBe('Programme');
    expect(combineSubjectAndBody('Re: Programme', 'Merci')).toBe('Programme\nMerci');
  });

  it.each(['', '   ', '(no subject)', '(sans objet)', 'Message', 'MUR', 'Re: mur', 'Wall!'])(
    'keeps the body alone when the subject is empty or generic: %j',
    (subject) => {
      expect(combineSubjectAndBody(subject, 'Bravo !')).toBe('Bravo !');
    },
  );

  it('keeps a subject that is only a hashtag: it may be what routes the message', () => {
    expect(combineSubjectAndBody('#capcomnet', 'Bravo !')).toBe('#capcomnet\nBravo !');
  });

  it('keeps the body alone when it already starts with the subject, cut with an ellipsis or not', () => {
    expect(combineSubjectAndBody('Bravo à toute l’équipe', 'Bravo à toute l’équipe, quelle journée')).toBe(
      'Bravo à toute l’équipe, quelle journée',
    );
    expect(combineSubjectAndBody('Quelle journée…', 'Quelle journée ! Merci')).toBe('Quelle journée ! Merci');
  });

  it('does not take a word that merely begins like the subject for the subject', () => {
    expect(combineSubjectAndBody('Bravo', 'Bravoure et courage')).toBe('Bravo\nBravoure et courage');
  });

  it('gives the subject alone when the body is empty', () => {
    expect(combineSubjectAndBody('Re: Vive le #capcomnet', '  \n ')).toBe('Vive le #capcomnet');
  });

  it('gives nothing when both are empty or generic', () => {
    expect(combineSubjectAndBody('(no subject)', '')).toBe('');
  });
});
