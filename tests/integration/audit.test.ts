import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditCsv, csvCell } from '../../server/routes/moderation.js';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

beforeEach(async () => {
  server = await startServer();
});

afterEach(async () => {
  await server.close({ removeData: true });
});

/** Reads CSV as a spreadsheet would (RFC 4180): quoted cells may hold commas, quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

describe('the audit log of a scripted session', () => {
  it('has exactly one row for each action, naming who did it', async () => {
    const admin = { authorization: `Bearer ${await server.adminToken()}` };
    const rows = async () => (await server.request('GET', '/api/audit?limit=1000', undefined, admin)).body.items as { action: string; actor: string; targetId: string | null }[];
    let seen = (await rows()).length;
    /** Runs one action and returns the audit rows it added (newest first). */
    const step = async (run: () => Promise<{ status: number }>, expectedStatus: number) => {
      const response = await run();
      expect(response.status).toBe(expectedStatus);
      const all = await rows();
      const added = all.slice(0, all.length - seen);
      seen = all.length;
      return added.map((row) => `${row.actor} ${row.action} ${row.targetId ?? ''}`.trim());
    };
    const login = async (username: string, password: string) => {
      const response = await server.request('POST', '/api/auth/login', { username, password });
      const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
      return { status: response.status, headers: { cookie, 'x-csrf-token': response.body.csrfToken as string } };
    };

    let adminSession!: Awaited<ReturnType<typeof login>>;
    expect(await step(async () => (adminSession = await login('admin', server.adminPassword)), 200)).toEqual(['admin auth.login admin']);
    const asAdmin = adminSession.headers;
    expect(await step(() => server.request('POST', '/api/users', { username: 'marie', password: 'moderation!', role: 'moderator' }, asAdmin), 201)).toEqual([
      'admin user.create marie',
    ]);
    expect(await step(() => server.request('POST', '/api/users', { username: 'temp', password: 'temporary!', role: 'moderator' }, asAdmin), 201)).toEqual([
      'admin user.create temp',
    ]);
    expect(await step(() => server.request('DELETE', '/api/users/temp', undefined, asAdmin), 200)).toEqual(['admin user.delete temp']);
    let token!: Awaited<ReturnType<typeof server.request>>;
    expect(await step(async () => (token = await server.request('POST', '/api/tokens', { name: 'bridge', role: 'ingest' }, asAdmin)), 201)).toEqual([
      expect.stringMatching(/^admin token\.create \d+$/),
    ]);
    expect(await step(() => server.request('PATCH', '/api/walls/capcomnet', { title: 'Cap’Com 2026' }, asAdmin), 200)).toEqual([
      'admin wall.update capcomnet',
    ]);

    let marieSession!: Awaited<ReturnType<typeof login>>;
    expect(await step(async () => (marieSession = await login('marie', 'moderation!')), 200)).toEqual(['marie auth.login marie']);
    const asMarie = marieSession.headers;
    // Contributions arriving are not actions of anyone: they add nothing to the log.
    const posted = await server.request('POST', '/api/walls/capcomnet/messages', { externalId: 'q1', author: { name: 'Kim' }, text: 'Une question' }, { authorization: `Bearer ${token.body.token}` });
    expect(posted.status).toBe(201);
    expect(await step(async () => ({ status: 200 }), 200)).toEqual([]);
    const id = posted.body.id as number;
    const act = (action: string) => () => server.request('POST', `/api/messages/${id}/${action}`, {}, asMarie);
    for (const action of ['approve', 'pin', 'unpin', 'hide', 'requeue', 'reject', 'requeue', 'approve']) {
      expect(await step(act(action), 200), action).toEqual([`marie ${action} ${id}`]);
    }
    // A refused action changes nothing and is not logged.
    expect(await step(act('approve'), 409)).toEqual([]);
    for (const display of ['blank', 'live']) {
      expect(await step(() => server.request('POST', '/api/walls/capcomnet/display', { display }, asMarie), 200)).toEqual(['marie display capcomnet']);
    }
    // Sender lists: blocking and trusting a sender, and removing the entry (the undo).
    let listed!: Awaited<ReturnType<typeof server.request>>;
    const block = () => server.request('POST', '/api/walls/capcomnet/senders', { kind: 'email', address: 'kim@example.org', rule: 'blocked' }, asMarie);
    expect(await step(async () => (listed = await block()), 201)).toEqual([expect.stringMatching(/^marie sender\.block \d+$/)]);
    // Blocking again changes nothing, and logs nothing.
    expect(await step(block, 200)).toEqual([]);
    expect(await step(() => server.request('DELETE', `/api/walls/capcomnet/senders/${listed.body.id}`, undefined, asMarie), 204)).toEqual([
      `marie sender.remove ${listed.body.id}`,
    ]);
    expect(
      await step(() => server.request('POST', '/api/walls/capcomnet/senders', { kind: 'email', address: 'ada@example.org', rule: 'trusted' }, asMarie), 201),
    ).toEqual([expect.stringMatching(/^marie sender\.trust \d+$/)]);
    expect(await step(() => server.request('POST', '/api/auth/password', { currentPassword: 'moderation!', newPassword: 'a longer one!' }, asMarie), 204)).toEqual([
      'marie user.password marie',
    ]);
    const sessions = await server.request('GET', '/api/sessions', undefined, { cookie: marieSession.headers.cookie });
    expect(await step(() => server.request('DELETE', `/api/sessions/${sessions.body.items[0].id}`, undefined, asMarie), 204)).toEqual([
      'marie session.revoke marie',
    ]);

    const decisions = (await server.request('GET', '/api/audit?wall=capcomnet&limit=1000', undefined, admin)).body.items;
    expect(decisions.find((row: { action: string }) => row.action === 'requeue').detail).toMatchObject({ to: 'pending' });
  });
});

describe('the audit export', () => {
  it('answers CSV as an attachment, with the header row and the same rows as the JSON', async () => {
    const admin = { authorization: `Bearer ${await server.adminToken()}` };
    await server.request('POST', '/api/walls', { slug: 'atelier', title: 'Atelier' }, admin);
    await server.request('PATCH', '/api/walls/capcomnet', { title: 'Cap, "Com"' }, admin);
    const json = await server.request('GET', '/api/audit?limit=1000', undefined, admin);
    const csv = await server.request('GET', '/api/audit?limit=1000&format=csv', undefined, admin);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="toile-audit.csv"');
    const table = parseCsv(csv.text);
    expect(table[0]).toEqual(['at', 'actor', 'action', 'wall', 'targetType', 'targetId', 'detail']);
    expect(table.slice(1)).toEqual(
      json.body.items.map((row: { at: string; actor: string; action: string; wall: string | null; targetType: string | null; targetId: string | null; detail: unknown }) => [
        row.at,
        row.actor,
        row.action,
        row.wall ?? '',
        row.targetType ?? '',
        row.targetId ?? '',
        JSON.stringify(row.detail),
      ]),
    );
    const one = await server.request('GET', '/api/audit?wall=atelier&format=csv', undefined, admin);
    expect(one.headers.get('content-disposition')).toBe('attachment; filename="toile-audit-atelier.csv"');
    expect(parseCsv(one.text).slice(1).map((row) => row[2])).toEqual(['wall.create']);
  });

  it('keeps a spreadsheet from running a username as a formula', async () => {
    const admin = { authorization: `Bearer ${await server.adminToken()}` };
    expect((await server.request('POST', '/api/users', { username: '-1-1', password: 'moderation!', role: 'moderator' }, admin)).status).toBe(201);
    const csv = await server.request('GET', '/api/audit?format=csv', undefined, admin);
    const row = parseCsv(csv.text).find((cells) => cells[2] === 'user.create');
    expect(row?.[5]).toBe("'-1-1");
  });

  it('refuses anyone but an admin, and an unknown format', async () => {
    const admin = { authorization: `Bearer ${await server.adminToken()}` };
    const moderator = await server.request('POST', '/api/tokens', { name: 'mod', role: 'moderator' }, admin);
    expect((await server.request('GET', '/api/audit?format=csv', undefined, { authorization: `Bearer ${moderator.body.token}` })).status).toBe(403);
    expect((await server.request('GET', '/api/audit?format=csv')).status).toBe(401);
    expect((await server.request('GET', '/api/audit?format=xlsx', undefined, admin)).status).toBe(400);
  });
});

describe('CSV cells', () => {
  it('quotes cells holding quotes, commas or line breaks, doubling the quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rlf')).toBe('"cr\rlf"');
    expect(csvCell(null)).toBe('');
  });

  it('prefixes with an apostrophe every cell a spreadsheet would read as a formula', () => {
    for (const formula of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1']) expect(csvCell(formula).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('a=1')).toBe('a=1');
  });

  it('round-trips hostile values through a CSV reader', () => {
    const hostile = 'x",\r\n=cmd|"/c calc"!A1';
    const text = auditCsv([{ id: 1, at: '2026-11-29T12:00:00.000Z', actor: hostile, action: 'a', wall: null, targetType: null, targetId: '@x', detail: { note: hostile } }]);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parseCsv(text)).toEqual([
      ['at', 'actor', 'action', 'wall', 'targetType', 'targetId', 'detail'],
      ['2026-11-29T12:00:00.000Z', hostile, 'a', '', '', "'@x", JSON.stringify({ note: hostile })],
    ]);
  });
});
