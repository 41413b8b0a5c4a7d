#!/usr/bin/env node
// Forwards an SMS received by a GSM modem to Toile. gammu-smsd runs this as its RunOnReceive program; it
// posts the message to Toile's `POST /ingest/sms-gateway` endpoint, signed exactly as the SMS Gateway for
// Android app signs its webhooks, so a modem on a laptop needs no other endpoint. Setup: docs/sms-bridge.md.
//
// What gammu-smsd hands over (https://docs.gammu.org/smsd/run.html, and smsd/core.c,
// SMSD_RunOnReceiveEnvironment):
// - the command line gets the identifiers of the stored parts appended: inbox file names with the files
//   service (IN<date>_<time>_<serial>_<sender>_<part>.txt: they contain the sender's number), row ids
//   with the SQL services, nothing with the null service;
// - SMS_MESSAGES (physical parts), and per part SMS_n_NUMBER, SMS_n_TEXT (absent for 8-bit binary
//   parts), SMS_n_CLASS, SMS_n_REFERENCE;
// - DECODED_PARTS and, for a concatenated message, DECODED_n_TEXT with the whole decoded text. A plain
//   single SMS does not decode ("DECODED_PARTS=0"), so its text is only in SMS_1_TEXT.
// - whatever the program writes to stdout and stderr goes to the SMSD log. So this script never writes
//   the sender's number, the text, the key or its own arguments: only ids, statuses and error codes.
//
// Configuration, from the environment: TOILE_URL (https://toile.example.org), SMS_GATEWAY_SIGNING_KEY
// (the same value as the server's), TOILE_BRIDGE_DEVICE (the deviceId Toile records; this host's name
// by default).
//
// Exit status, which gammu-smsd logs: 0 stored (or already stored: a re-run is harmless), 1 refused by
// Toile (a wrong key, a clock more than 5 minutes off, an endpoint not enabled), 2 misconfigured or not
// run by gammu-smsd, 75 (EX_TEMPFAIL) Toile unreachable or busy through every retry.
/* global AbortSignal -- a Node global that eslint.config.js does not list yet */
import { createHash, createHmac } from 'node:crypto';
import { hostname } from 'node:os';

/** Waits before each retry (or the server's Retry-After when longer). */
const BACKOFF_MS = [500, 1_500, 3_500];
/** Longer than the server's own 5 s wait on a busy database, after which it answers 503. */
const ATTEMPT_TIMEOUT_MS = 7_000;
/**
 * No attempt starts that could end past this: gammu-smsd reads no new SMS while it waits for us (and
 * stops waiting after two minutes), so a down server must not hold up its loop for long.
 */
const DEADLINE_MS = 20_000;

class Exit extends Error {
  constructor(code, reason) {
    super(reason);
    this.code = code;
  }
}

function config(env) {
  let endpoint;
  try {
    const base = new URL(env.TOILE_URL ?? '');
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('protocol');
    endpoint = new URL(`${base.pathname.replace(/\/+$/, '')}/ingest/sms-gateway`, base);
  } catch {
    // The value itself is not repeated: a URL may carry credentials.
    throw new Exit(2, 'TOILE_URL must be an absolute http(s) URL such as https://toile.example.org');
  }
  const key = env.SMS_GATEWAY_SIGNING_KEY ?? '';
  if (key === '') throw new Exit(2, 'SMS_GATEWAY_SIGNING_KEY is not set');
  return { endpoint, key, deviceId: env.TOILE_BRIDGE_DEVICE || hostname() };
}

/** The sender and the whole text of the (possibly concatenated) message that gammu-smsd received. */
function receivedMessage(env) {
  const parts = Number(env.SMS_MESSAGES);
  if (!Number.isInteger(parts) || parts < 1) throw new Exit(2, 'SMS_MESSAGES is missing: run by gammu-smsd as RunOnReceive');
  const phoneNumber = env.SMS_1_NUMBER ?? '';
  if (phoneNumber === '') throw new Exit(2, 'SMS_1_NUMBER is missing');

  // Joined in order like gammu's own example (contrib/smsd-scripts/receive-python). Only text entries
  // set DECODED_n_TEXT; an MMS notification sets DECODED_n_MMS_* instead and falls through to SMS_n_TEXT.
  const decoded = [];
  for (let i = 1; i <= (Number(env.DECODED_PARTS) || 0); i += 1) {
    if (env[`DECODED_${i}_TEXT`] !== undefined) decoded.push(env[`DECODED_${i}_TEXT`]);
  }
  const raw = [];
  for (let i = 1; i <= parts; i += 1) {
    if (env[`SMS_${i}_TEXT`] !== undefined) raw.push(env[`SMS_${i}_TEXT`]);
  }
  const message = decoded.length > 0 ? decoded.join('') : raw.join('');
  return { phoneNumber, message, parts };
}

/**
 * The envelope id Toile deduplicates on. It must be the same every time this runs for the same received
 * message (gammu-smsd may run it again, and so may an operator replaying the inbox), and different for
 * every other message: the identifiers gammu-smsd appends are exactly that. They are hashed because the
 * files service names them after the sender's number.
 */
function envelopeId(identifiers, env) {
  if (identifiers.length === 0) {
    throw new Exit(2, 'no message identifiers on the command line (the null service passes none: use the files or an SQL service)');
  }
  // PHONE_ID keeps two modems with separate inboxes on one host from producing the same id.
  const digest = createHash('sha256').update(JSON.stringify([env.PHONE_ID ?? '', ...identifiers])).digest('hex');
  return `gammu-${digest.slice(0, 32)}`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One word of the server's JSON answer (an error `code`, or the outcome `status`: stored, duplicate,
 * throttled…) is worth logging; the body itself is never echoed.
 */
async function word(response, field) {
  try {
    const body = await response.json();
    return typeof body?.[field] === 'string' && /^[a-z0-9_-]{1,40}$/i.test(body[field]) ? ` ${body[field]}` : '';
  } catch {
    return '';
  }
}

function refusal(status) {
  if (status === 403) return 'signature refused: SMS_GATEWAY_SIGNING_KEY differs from the server, or this clock is more than 5 minutes off';
  if (status === 404) return 'no /ingest/sms-gateway endpoint: is SMS_GATEWAY_SIGNING_KEY set on the server, and TOILE_URL right?';
  return 'refused';
}

/**
 * Posts the envelope and resolves to what Toile answered ("HTTP 200 stored"), retrying network errors,
 * timeouts, 429 and 5xx with backoff. Each attempt is signed afresh: the signature covers the timestamp,
 * which the server accepts within ±5 minutes.
 */
async function deliver({ endpoint, key }, body, started = Date.now()) {
  let last;
  for (let attempt = 0; ; attempt += 1) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    // SMS Gateway for Android's scheme: hex HMAC-SHA256 of the raw body bytes followed by X-Timestamp.
    const signature = createHmac('sha256', key).update(body, 'utf8').update(timestamp, 'utf8').digest('hex');
    let retryAfterMs;
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': signature },
        body,
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      if (response.ok) return `HTTP ${response.status}${await word(response, 'status')}`;
      const code = await word(response, 'code');
      if (response.status !== 429 && response.status < 500) throw new Exit(1, `HTTP ${response.status}${code}: ${refusal(response.status)}`);
      last = `HTTP ${response.status}${code}`;
      const retryAfter = Number(response.headers.get('retry-after'));
      if (Number.isFinite(retryAfter) && retryAfter > 0) retryAfterMs = retryAfter * 1000;
    } catch (error) {
      if (error instanceof Exit) throw error;
      // A system error code (ECONNREFUSED, ENOTFOUND…) or the abort's name: never a message that could
      // quote the request.
      last = error?.cause?.code ?? error?.name ?? 'network error';
    }
    const wait = Math.max(BACKOFF_MS[attempt] ?? Infinity, retryAfterMs ?? 0);
    if (Date.now() - started + wait + ATTEMPT_TIMEOUT_MS > DEADLINE_MS) {
      throw new Exit(75, `gave up after ${attempt + 1} attempts (${last}); gammu-smsd keeps the message in its inbox`);
    }
    process.stderr.write(`toile: attempt ${attempt + 1} failed (${last}), retrying in ${Math.round(wait / 100) / 10} s\n`);
    await sleep(wait);
  }
}

async function main(argv, env) {
  const settings = config(env);
  const { phoneNumber, message, parts } = receivedMessage(env);
  const id = envelopeId(argv, env);
  if (message.trim() === '') {
    // A binary (8-bit) SMS or an MMS notification: gammu gives no text, and there is nothing to show.
    process.stdout.write(`toile: ${id} has no text (binary SMS or MMS notification), skipped\n`);
    return;
  }
  const body = JSON.stringify({
    deviceId: settings.deviceId,
    event: 'sms:received',
    id,
    payload: {
      // The gateway's own messageId is not unique either; Toile dedupes on the envelope id above.
      messageId: id,
      message,
      phoneNumber,
      simNumber: null,
      // gammu-smsd runs this as soon as the last part is stored, so now is when it was received.
      receivedAt: new Date().toISOString(),
    },
    webhookId: 'gammu-smsd',
  });
  const outcome = await deliver(settings, body);
  process.stdout.write(`toile: ${id} delivered (${parts} part${parts === 1 ? '' : 's'}, ${outcome})\n`);
}

try {
  await main(process.argv.slice(2), process.env);
} catch (error) {
  // Anything unexpected is reported by its class only: a stack could quote the message.
  const reason = error instanceof Exit ? error.message : `unexpected ${error?.name ?? 'error'}`;
  process.stderr.write(`toile: ${reason}\n`);
  process.exitCode = error instanceof Exit ? error.code : 1;
}
