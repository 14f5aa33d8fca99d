import { resolve } from 'node:path';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const intFrom = (name: string, def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const url = (name: string, protocols: string[]) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      let parsed: URL;
      try {
        parsed = new URL(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: `${name} is not a URL: "${v}"` });
        return z.NEVER;
      }
      if (!protocols.includes(parsed.protocol)) {
        ctx.addIssue({ code: 'custom', message: `${name} must start with ${protocols.join(' or ')}//` });
        return z.NEVER;
      }
      return v;
    });

/** Every setting, from the environment, validated once at boot. */
const schema = z.object({
  PORT: intFrom('PORT', 3000, 0, 65535),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: url('DATABASE_URL', ['postgres:', 'postgresql:']),
  /** Connections to PostgreSQL per process; mind max_connections across API and worker processes. */
  DATABASE_POOL_MAX: intFrom('DATABASE_POOL_MAX', 30, 1, 500),
  REDIS_URL: url('REDIS_URL', ['redis:', 'rediss:']).transform((v) => v ?? 'redis://127.0.0.1:6379'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]+$/, 'QUEUE_PREFIX may hold only letters, digits, - and _')
    .default('shouhu'),
  RECONCILE_INTERVAL_MS: intFrom('RECONCILE_INTERVAL_MS', 30_000, 100, 86_400_000),
  TIMER_HORIZON_MS: intFrom('TIMER_HORIZON_MS', 3_600_000, 1_000, 31_536_000_000),
  OUTBOX_GRACE_MS: intFrom('OUTBOX_GRACE_MS', 2_000, 0, 3_600_000),
  WORKER_CONCURRENCY: intFrom('WORKER_CONCURRENCY', 32, 1, 256),
  CASE_DEFINITION_MODULES: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [])),
  /** SMTP server for e-mail channels, e.g. smtp://mail.example:25; unset: e-mail deliveries are dead-lettered. */
  SMTP_URL: url('SMTP_URL', ['smtp:', 'smtps:']),
  SMTP_FROM: z.string().optional(),
  WEBHOOK_TIMEOUT_MS: intFrom('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
  /**
   * Drills and end-to-end tests only: the clock runs this many milliseconds ahead of (or behind) real
   * time. Give every API and worker process the same value.
   */
  CLOCK_OFFSET_MS: intFrom('CLOCK_OFFSET_MS', 0, -3_153_600_000_000, 3_153_600_000_000),
  /** A county's protection policy (JSON); unset means the built-in Changbai policy. */
  PROTECTION_POLICY_FILE: z.string().optional(),
  DEMO_SEED: z
    .enum(['auto', 'on', 'off'], { message: 'DEMO_SEED must be auto, on or off' })
    .default('auto'),
});

export type AppConfig = z.output<typeof schema> & {
  /** Absolute data folder (PGlite, the embedded redis-server). */
  dataDir: string;
  embeddedDatabase: boolean;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => (i.path.length ? `${String(i.path[0])}: ${i.message}` : i.message)));
  }
  const value = parsed.data;
  return { ...value, dataDir: resolve(value.DATA_DIR), embeddedDatabase: !value.DATABASE_URL };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
