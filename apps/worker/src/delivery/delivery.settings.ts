import type { AppConfig } from '#shouhu/config';
import { DEFAULT_DELIVERY_RETRY, type DeliveryOptions, type DeliveryRetryPolicy } from '#shouhu/notify';

export const DELIVERY_SETTINGS = Symbol('DELIVERY_SETTINGS');

/** The configuration keys delivery reads; to be added to the config schema (libs/config). */
export interface DeliveryConfig {
  SMTP_URL?: string;
  SMTP_FROM?: string;
  WEBHOOK_TIMEOUT_MS?: number;
}

export interface DeliverySettings extends DeliveryOptions {
  retry: DeliveryRetryPolicy;
  reconcileIntervalMs: number;
  /** Pending deliveries younger than this are left to the effect that created them. */
  graceMs: number;
}

/** Reads the delivery keys if the schema has them (zod drops unknown keys: until then SMTP is off). */
export function deliverySettingsFrom(config: AppConfig & DeliveryConfig): DeliverySettings {
  return {
    smtpUrl: config.SMTP_URL || null,
    smtpFrom: config.SMTP_FROM || undefined,
    webhookTimeoutMs: config.WEBHOOK_TIMEOUT_MS ?? 10_000,
    retry: DEFAULT_DELIVERY_RETRY,
    reconcileIntervalMs: config.RECONCILE_INTERVAL_MS,
    graceMs: config.OUTBOX_GRACE_MS,
  };
}
