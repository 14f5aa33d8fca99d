import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * How a webhook receiver knows a POST came from Shouhu: `X-Shouhu-Signature: sha256=<hex>` is the
 * HMAC-SHA256, keyed with the channel's secret, of `<X-Shouhu-Timestamp>.<raw body>`. Pure functions,
 * exported for receivers (verify against the raw bytes received, before parsing the JSON).
 */

export const SIGNATURE_PREFIX = 'sha256=';

export function signWebhook(secret: string, timestamp: string | number, body: string): string {
  return SIGNATURE_PREFIX + createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

export interface VerifyOptions {
  /** Refuse timestamps further than this from `now` (replay protection); 0 turns the check off. Default 300. */
  toleranceSeconds?: number;
  now?: Date;
}

/** True when `signature` is the right one for this timestamp and body (constant-time comparison). */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | number | null | undefined,
  body: string,
  signature: string | null | undefined,
  opts: VerifyOptions = {},
): boolean {
  if (timestamp === null || timestamp === undefined || typeof signature !== 'string') return false;
  const ts = String(timestamp);
  if (!/^\d{1,12}$/.test(ts)) return false;
  const tolerance = opts.toleranceSeconds ?? 300;
  if (tolerance > 0) {
    const nowSec = Math.floor((opts.now ?? new Date()).getTime() / 1000);
    if (Math.abs(nowSec - Number(ts)) > tolerance) return false;
  }
  const expected = Buffer.from(signWebhook(secret, ts, body), 'utf8');
  const given = Buffer.from(signature.trim(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
