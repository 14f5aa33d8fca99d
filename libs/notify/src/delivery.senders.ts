import { DateTime } from 'luxon';
import { createTransport, type Transporter } from 'nodemailer';
import { localIso, ZONE } from '#shouhu/engine';
import type { DeliveryToSend } from './delivery.service';
import { signWebhook } from './webhook-signature';

/** Settings the delivery senders read; from the configuration (SMTP_URL, WEBHOOK_TIMEOUT_MS, SMTP_FROM). */
export interface DeliveryOptions {
  /** e.g. smtp://127.0.0.1:2525 or smtps://user:pass@host; unset: e-mail channels are dead-lettered. */
  smtpUrl?: string | null;
  smtpFrom?: string;
  /** Whole request, body included. Default 10 s. */
  webhookTimeoutMs?: number;
  /** Connection, greeting and socket timeouts of the SMTP client. Default 30 s. */
  smtpTimeoutMs?: number;
}

export type Notification = NonNullable<DeliveryToSend['notification']>;

/** One attempt's result. `permanent` failures are not retried (dead at once). */
export interface SendOutcome {
  ok: boolean;
  statusCode: number | null;
  error?: string;
  permanent?: boolean;
}

export interface DeliverySender {
  send(d: DeliveryToSend, notification: Notification, now: Date): Promise<SendOutcome>;
}

export const NO_SMTP_ERROR = 'email channel not sent: no SMTP server is configured (set SMTP_URL)';

/** The JSON a webhook receives. */
export function webhookBody(deliveryId: string, n: Notification, sentAt: Date): string {
  return JSON.stringify({
    deliveryId,
    notification: {
      caseId: n.caseId,
      caseType: n.caseType,
      unitId: n.unitId,
      reason: n.reason,
      deadline: n.deadline ? localIso(n.deadline) : null,
      state: n.state,
    },
    sentAt: localIso(sentAt),
  });
}

/** HTTP POST, signed; only a 2xx counts (redirects are not followed). */
export class WebhookSender implements DeliverySender {
  constructor(private readonly timeoutMs = 10_000) {}

  async send(d: DeliveryToSend, n: Notification, now: Date): Promise<SendOutcome> {
    if (!d.channel.secret) return { ok: false, statusCode: null, error: 'webhook channel has no secret', permanent: true };
    const body = webhookBody(d.id, n, now);
    const timestamp = String(Math.floor(now.getTime() / 1000));
    try {
      const res = await fetch(d.channel.target, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Shouhu-Webhook/1',
          'x-shouhu-delivery': d.id,
          'x-shouhu-timestamp': timestamp,
          'x-shouhu-signature': signWebhook(d.channel.secret, timestamp, body),
        },
        body,
      });
      if (res.status >= 200 && res.status < 300) {
        await res.body?.cancel().catch(() => undefined);
        return { ok: true, statusCode: res.status };
      }
      const text = await res.text().catch(() => '');
      return { ok: false, statusCode: res.status, error: `HTTP ${res.status}${text ? `: ${text.slice(0, 300)}` : ''}` };
    } catch (err) {
      return { ok: false, statusCode: null, error: describeFetchError(err, this.timeoutMs) };
    }
  }
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return `webhook timed out after ${timeoutMs} ms`;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return `webhook request failed: ${e?.message ?? String(err)}${cause ? ` (${cause})` : ''}`;
}

/** Subject and plain-text body, Chinese first, then English. */
export function emailMessage(deliveryId: string, n: Notification): { subject: string; text: string } {
  const reason = n.reason.replace(/[\r\n]+/g, ' ').trim();
  const zh = n.deadline ? `${DateTime.fromJSDate(n.deadline, { zone: ZONE }).toFormat('yyyy年M月d日 HH:mm')}（北京时间）` : '无';
  const en = n.deadline ? localIso(n.deadline) : 'none';
  return {
    subject: `【守护】案件提醒 / [Shouhu] Case alert: ${reason}`.slice(0, 200),
    text: [
      '守护 · 案件提醒',
      `案件编号：${n.caseId}`,
      `案件类型：${n.caseType}`,
      `当前状态：${n.state}`,
      `事由：${reason}`,
      `期限：${zh}`,
      '请登录守护系统查看并处理。',
      '',
      'Shouhu · Case alert',
      `Case: ${n.caseId}`,
      `Type: ${n.caseType}`,
      `State: ${n.state}`,
      `Reason: ${reason}`,
      `Deadline: ${en}`,
      'Please sign in to Shouhu to review and act on this case.',
      '',
      `投递编号 / Delivery id: ${deliveryId}`,
    ].join('\n'),
  };
}

/** SMTP through nodemailer; one pooled-less transport, made on first use. */
export class EmailSender implements DeliverySender {
  private transport?: Transporter;

  constructor(private readonly opts: DeliveryOptions = {}) {}

  get configured(): boolean {
    return Boolean(this.opts.smtpUrl);
  }

  async send(d: DeliveryToSend, n: Notification): Promise<SendOutcome> {
    if (!this.opts.smtpUrl) return { ok: false, statusCode: null, error: NO_SMTP_ERROR, permanent: true };
    const timeout = this.opts.smtpTimeoutMs ?? 30_000;
    this.transport ??= createTransport({ url: this.opts.smtpUrl, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout });
    const { subject, text } = emailMessage(d.id, n);
    try {
      await this.transport.sendMail({
        from: this.opts.smtpFrom ?? '"守护 Shouhu" <no-reply@shouhu.invalid>',
        to: d.channel.target,
        subject,
        text,
        messageId: `<${d.id}@shouhu>`, // the same delivery always has the same Message-ID: receivers can drop repeats
        headers: { 'X-Shouhu-Delivery': d.id },
      });
      return { ok: true, statusCode: 250 };
    } catch (err) {
      const e = err as { responseCode?: number; message?: string };
      return { ok: false, statusCode: typeof e.responseCode === 'number' ? e.responseCode : null, error: `smtp: ${e.message ?? String(err)}` };
    }
  }

  close(): void {
    this.transport?.close();
    this.transport = undefined;
  }
}
