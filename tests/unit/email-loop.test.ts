import { describe, expect, it } from 'vitest';
import { autoMailReason } from '../../server/domain/email-loop.js';

/** What an ordinary person's mail carries. */
const PERSON: Array<[string, string]> = [
  ['From', 'Jeanne Dupont <jeanne@example.org>'],
  ['To', 'mur@example.org'],
  ['Subject', 'Bravo'],
  ['Content-Type', 'multipart/alternative; boundary="b1"'],
  ['Return-Path', '<jeanne@example.org>'],
];

function withHeader(name: string, value: string): Array<[string, string]> {
  return [...PERSON, [name, value]];
}

describe('autoMailReason (DESIGN.md "Email loops")', () => {
  it('lets a person\'s mail through', () => {
    expect(autoMailReason(PERSON, 'jeanne@example.org')).toBeNull();
    expect(autoMailReason(PERSON)).toBeNull();
  });

  it.each(['auto-replied', 'auto-generated', 'auto-notified; owner-email="x@example.org"', 'AUTO-REPLIED', ''])(
    'rejects Auto-Submitted: %j',
    (value) => {
      expect(autoMailReason(withHeader('Auto-Submitted', value))).toBe('auto-submitted');
    },
  );

  it('lets Auto-Submitted: no through, in any case', () => {
    expect(autoMailReason(withHeader('auto-submitted', ' No '))).toBeNull();
  });

  it.each(['', '<>', ' < > '])('rejects an empty envelope sender %j', (envelope) => {
    expect(autoMailReason(PERSON, envelope)).toBe('empty-envelope-sender');
  });

  it('reads Return-Path: <> as the envelope sender when the envelope is unknown', () => {
    const headers = PERSON.map(([name, value]): [string, string] => [name, name === 'Return-Path' ? '<>' : value]);
    expect(autoMailReason(headers)).toBe('empty-envelope-sender');
    // A known envelope sender is the truth; the header is only its record.
    expect(autoMailReason(headers, 'jeanne@example.org')).toBeNull();
  });

  it.each([
    ['From', 'MAILER-DAEMON@amazonses.com'],
    ['From', 'Mail Delivery Subsystem <mailer-daemon@googlemail.com>'],
    ['From', 'postmaster@example.net'],
    ['Return-Path', '<MAILER-DAEMON>'],
  ])('rejects a mail from a mail daemon (%s: %s)', (name, value) => {
    const headers = [...PERSON.filter(([n]) => n !== name), [name, value] as [string, string]];
    expect(autoMailReason(headers)).toBe('mailer-daemon');
  });

  it('rejects a mail daemon named by the envelope', () => {
    expect(autoMailReason(PERSON, 'MAILER-DAEMON@mx.example.net')).toBe('mailer-daemon');
  });

  it('does not take an address that merely contains "postmaster" for a daemon', () => {
    expect(autoMailReason(withHeader('Reply-To', 'x@y'), 'jeanne.postmasterson@example.org')).toBeNull();
    const headers = PERSON.map(([name, value]): [string, string] => [name, name === 'From' ? 'postmaster-fan@example.org' : value]);
    expect(autoMailReason(headers)).toBeNull();
  });

  it('rejects a multipart/report (bounces, feedback reports), folded header included', () => {
    const headers = PERSON.map(([name, value]): [string, string] => [
      name,
      name === 'Content-Type' ? 'Multipart/Report;\r\n\treport-type=delivery-status;\r\n\tboundary="x"' : value,
    ]);
    expect(autoMailReason(headers)).toBe('bounce-report');
  });

  it.each(['bulk', 'junk', 'list', 'BULK'])('rejects Precedence: %s', (value) => {
    expect(autoMailReason(withHeader('Precedence', value))).toBe('bulk');
  });

  it('lets another Precedence through', () => {
    expect(autoMailReason(withHeader('Precedence', 'first-class'))).toBeNull();
  });

  it('rejects a mail with a List-Id, whatever its value', () => {
    expect(autoMailReason(withHeader('List-Id', 'Capcomnet attendees <attendees.example.org>'))).toBe('mailing-list');
    expect(autoMailReason(withHeader('list-id', ''))).toBe('mailing-list');
  });

  it('names the most specific reason when several apply', () => {
    const headers: Array<[string, string]> = [
      ['From', 'MAILER-DAEMON@example.net'],
      ['Content-Type', 'multipart/report; report-type=delivery-status'],
      ['Auto-Submitted', 'auto-replied'],
    ];
    expect(autoMailReason(headers, '')).toBe('bounce-report');
  });

  it('accepts headers as a Map or as Object.entries of a record', () => {
    expect(autoMailReason(new Map([['Auto-Submitted', 'auto-replied']]))).toBe('auto-submitted');
    expect(autoMailReason(Object.entries({ precedence: 'list' }))).toBe('bulk');
  });

  describe('beyond DESIGN.md: the headers auto-responders write instead of Auto-Submitted', () => {
    it.each([
      ['X-Autoreply', 'yes'],
      ['X-Autorespond', 'Vacation'],
      ['X-Auto-Response-Suppress', 'All'],
      ['X-Auto-Response-Suppress', 'DR, OOF, AutoReply'],
      ['Precedence', 'auto_reply'],
    ])('rejects %s: %s as an auto-reply', (name, value) => {
      expect(autoMailReason(withHeader(name, value))).toBe('auto-reply');
    });

    it('lets X-Auto-Response-Suppress through when it only refuses delivery and read receipts', () => {
      expect(autoMailReason(withHeader('X-Auto-Response-Suppress', 'DR, RN, NRN'))).toBeNull();
    });
  });
});
