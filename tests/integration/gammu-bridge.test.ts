import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

// The bridge is run the way gammu-smsd runs a RunOnReceive program: a child process whose environment
// holds the message (https://docs.gammu.org/smsd/run.html) and whose arguments are the stored parts'
// identifiers. With the files service those are inbox file names, and they carry the sender's number.

const BRIDGE = join(import.meta.dirname, '..', '..', 'scripts', 'gammu-to-toile.mjs');
const KEY = 'k-gammu-bridge-test-signing-key';
const SENDER = '+33612345678';

let server: TestServer;

beforeEach(async () => {
  server = await startServer({ env: { SMS_GATEWAY_SIGNING_KEY: KEY } });
});

afterEach(async () => {
  await server.close({ removeData: true });
});

interface BridgeRun {
  code: number | null;
  output: string;
}

interface RunOptions {
  key?: string;
  url?: string;
  /** Called with the output so far, each time the bridge writes. */
  onOutput?: (output: string) => void;
}

function runBridge(args: string[], smsEnv: Record<string, string>, { key = KEY, url = server.url, onOutput }: RunOptions = {}): Promise<BridgeRun> {
  // No inherited environment: only what gammu-smsd sets and the bridge's own configuration.
  const env = { TOILE_URL: url, SMS_GATEWAY_SIGNING_KEY: key, TOILE_BRIDGE_DEVICE: 'test-modem', ...smsEnv };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BRIDGE, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      onOutput?.(output);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** What gammu-smsd sets for one plain SMS: it does not decode, so DECODED_PARTS is 0. */
function singleSms(text: string): { args: string[]; env: Record<string, string> } {
  return {
    args: [`IN20261128_154611_00_${SENDER}_00.txt`],
    env: {
      SMS_MESSAGES: '1',
      DECODED_PARTS: '0',
      SMS_1_CLASS: '-1',
      SMS_1_REFERENCE: '0',
      SMS_1_NUMBER: SENDER,
      SMS_1_TEXT: text,
    },
  };
}

/** What gammu-smsd sets for a concatenated SMS in two parts: the raw parts and the whole decoded text. */
function twoPartSms(first: string, second: string): { args: string[]; env: Record<string, string> } {
  return {
    args: [`IN20261128_154700_00_${SENDER}_00.txt`, `IN20261128_154700_00_${SENDER}_01.txt`],
    env: {
      SMS_MESSAGES: '2',
      DECODED_PARTS: '1',
      DECODED_1_TEXT: first + second,
      SMS_1_CLASS: '-1',
      SMS_1_REFERENCE: '0',
      SMS_1_NUMBER: SENDER,
      SMS_1_TEXT: first,
      SMS_2_CLASS: '-1',
      SMS_2_REFERENCE: '0',
      SMS_2_NUMBER: SENDER,
      SMS_2_TEXT: second,
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function pending(): Promise<any[]> {
  const response = await server.request('GET', '/api/walls/capcomnet/messages?status=pending', undefined, {
    authorization: `Bearer ${await server.adminToken()}`,
  });
  expect(response.status).toBe(200);
  return response.body.items;
}

describe('the gammu-smsd bridge', () => {
  it('puts a received SMS in the moderation queue, with its sender masked on the wall', async () => {
    const sms = singleSms('Bravo pour la table ronde #capcomnet');
    const run = await runBridge(sms.args, sms.env);
    expect(run.code, run.output).toBe(0);

    const items = await pending();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ channel: 'sms', source: 'sms-gateway', text: 'Bravo pour la table ronde #capcomnet' });
    expect(items[0].author.name).not.toContain('612345');
  });

  it('stores a two-part message once, with the whole text gammu decoded', async () => {
    const first = 'Une question pour la table ronde : comment modérez-vous les contributions quand la salle ';
    const second = 'compte plus de mille personnes ? Merci ! #capcomnet';
    const sms = twoPartSms(first, second);
    const run = await runBridge(sms.args, sms.env);
    expect(run.code, run.output).toBe(0);

    const items = await pending();
    expect(items).toHaveLength(1);
    expect(items[0].text).toBe(first + second);
  });

  it('stores nothing new when gammu-smsd runs it again for the same inbox files', async () => {
    const sms = twoPartSms('Premier envoi, ', 'puis un second passage #capcomnet');
    const first = await runBridge(sms.args, sms.env);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(/HTTP 200 stored/);
    const again = await runBridge(sms.args, sms.env);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toMatch(/HTTP 200 duplicate/);

    expect(await pending()).toHaveLength(1);
  });

  it('exits non-zero and stores nothing when its key differs from the server', async () => {
    const sms = singleSms('Signé avec une autre clé');
    const run = await runBridge(sms.args, sms.env, { key: 'not-the-server-key' });
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/403/);

    expect(await pending()).toHaveLength(0);
  });

  it('retries while the database is busy and delivers once it is free', async () => {
    // Another writer holds the database: the server waits out its busy timeout, then answers 503 with
    // Retry-After. The lock is released once the bridge reports that failure, before it retries.
    const other = new Database(join(server.dataDir, 'toile.db'));
    other.exec('BEGIN IMMEDIATE');
    const release = () => {
      if (!other.open) return;
      other.exec('ROLLBACK');
      other.close();
    };
    const sms = singleSms('Patience, la base est occupée');
    let run: BridgeRun;
    try {
      run = await runBridge(sms.args, sms.env, { onOutput: (output) => output.includes('attempt 1 failed') && release() });
    } finally {
      release();
    }

    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/attempt 1 failed \(HTTP 503/);
    expect(await pending()).toHaveLength(1);
  }, 30_000);

  it('never writes the sender, the text or the key to its output, which ends up in the SMSD log', async () => {
    const outputs: string[] = [];
    const sms = twoPartSms('Texte privé numéro un, ', 'texte privé numéro deux');
    outputs.push((await runBridge(sms.args, sms.env)).output);
    outputs.push((await runBridge(sms.args, sms.env)).output);
    outputs.push((await runBridge(sms.args, sms.env, { key: 'not-the-server-key' })).output);
    outputs.push((await runBridge(sms.args, { ...sms.env, SMS_MESSAGES: '' })).output);
    // Nothing listens on port 9 of this host: every attempt fails and the bridge gives up.
    outputs.push((await runBridge(sms.args, sms.env, { url: 'http://127.0.0.1:9' })).output);

    for (const output of outputs) {
      expect(output).not.toBe('');
      expect(output).not.toContain('612345678');
      expect(output).not.toContain('privé');
      expect(output).not.toContain(KEY);
    }
  }, 30_000);
});
