import { sleep } from '../bench/support';

/*
 * The load: cases opened at an even pace over HTTP, each then driven by its own client through a
 * short script of events. Every attempt is one request with its own X-Request-Id; what the API
 * acknowledged (2xx) is kept with the case id and the version it answered, for the invariants.
 *
 *   lapse  (3 in 5): open, NOTE, NOTE, then nothing: the acceptance deadline must fire, once.
 *   accept (2 in 5): open, NOTE, ACCEPT, NOTE, CLOSE: ACCEPT leaves the state before the deadline,
 *                    which must then never fire (unless a fault delayed ACCEPT past it, and the
 *                    deadline fired first: then the history says so and ACCEPT comes from overdue).
 */

export interface LoadSettings {
  cases: number;
  /** The cases are opened evenly over this many seconds. */
  openSeconds: number;
  /** Case clients running at once (each has at most one request in flight). */
  maxClients: number;
  requestTimeoutMs: number;
  /** Attempts of one command while the answer is 503, 5xx, 409 or no answer. */
  maxAttempts: number;
}

export interface Ack {
  requestId: string;
  caseId: string;
  version: number;
  type: string;
}

export type Outcome = '2xx' | '503' | '500' | '409' | '4xx' | 'other-5xx' | 'no-answer';

export interface ResponseRecord {
  at: number;
  outcome: Outcome;
}

export class LoadRecord {
  readonly acks: Ack[] = [];
  readonly responses: ResponseRecord[] = [];
  readonly outcomes: Record<Outcome, number> = { '2xx': 0, '503': 0, '500': 0, '409': 0, '4xx': 0, 'other-5xx': 0, 'no-answer': 0 };
  readonly statuses: Record<string, number> = {};
  readonly serverErrors: string[] = [];
  commandsSent = 0;
  commandsAcked = 0;
  commandsGivenUp = 0;
  casesOpened = 0;
  casesNotOpened = 0;
  flows = { lapse: 0, accept: 0 };

  note(outcome: Outcome, status: string): void {
    this.outcomes[outcome]++;
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    this.responses.push({ at: Date.now(), outcome });
  }
}

let requestCounter = 0;

function outcomeOf(status: number): Outcome {
  if (status >= 200 && status < 300) return '2xx';
  if (status === 503) return '503';
  if (status === 500) return '500';
  if (status === 409) return '409';
  if (status >= 500) return 'other-5xx';
  return '4xx';
}

export class LoadDriver {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly settings: LoadSettings,
    readonly record: LoadRecord,
    private readonly runId: string,
  ) {}

  async run(): Promise<void> {
    const s = this.settings;
    const t0 = Date.now();
    const interval = (s.openSeconds * 1000) / Math.max(1, s.cases);
    const clients = new Set<Promise<void>>();
    for (let i = 0; i < s.cases; i++) {
      const wait = t0 + i * interval - Date.now();
      if (wait > 0) await sleep(wait);
      while (clients.size >= s.maxClients) await Promise.race(clients);
      const p: Promise<void> = this.caseFlow(i).finally(() => clients.delete(p));
      clients.add(p);
    }
    await Promise.all(clients);
  }

  private async caseFlow(i: number): Promise<void> {
    const accept = i % 5 >= 3;
    this.record.flows[accept ? 'accept' : 'lapse']++;
    const opened = await this.command('POST', '/cases', 'case.opened', null, { type: 'kernel-deadline', subject: { childId: `chaos-${i}` } });
    if (!opened) {
      this.record.casesNotOpened++;
      return;
    }
    this.record.casesOpened++;
    const caseId = opened.id;
    const event = (type: string, payload: Record<string, unknown> = {}) => this.command('POST', `/cases/${caseId}/events`, type, caseId, { type, payload });
    await event('NOTE', { text: `first note of case ${i}` });
    if (accept) {
      await event('ACCEPT');
      await event('NOTE', { text: `accepted note of case ${i}` });
      await event('CLOSE');
    } else {
      await event('NOTE', { text: `second note of case ${i}` });
    }
  }

  /**
   * One command, retried as a careful client would while the answer is 503, another 5xx, 409 or
   * none at all. Each attempt has its own request id; only an attempt answered 2xx is an ack.
   */
  private async command(method: string, path: string, type: string, caseId: string | null, body: unknown): Promise<{ id: string; version: number } | null> {
    const s = this.settings;
    this.record.commandsSent++;
    for (let attempt = 0; attempt < s.maxAttempts; attempt++) {
      const requestId = `chaos-${this.runId}-${++requestCounter}`;
      let status: number | null = null;
      let text = '';
      try {
        const res = await fetch(`${this.baseUrl}/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json', 'x-request-id': requestId },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(s.requestTimeoutMs),
        });
        status = res.status;
        text = await res.text();
      } catch {
        status = null;
      }
      if (status === null) {
        this.record.note('no-answer', 'no answer');
      } else {
        const outcome = outcomeOf(status);
        this.record.note(outcome, String(status));
        if (outcome === '2xx') {
          const view = JSON.parse(text) as { id: string; version: number };
          this.record.acks.push({ requestId, caseId: caseId ?? view.id, version: view.version, type });
          this.record.commandsAcked++;
          return view;
        }
        if (outcome === '500' || outcome === 'other-5xx') this.record.serverErrors.push(`${status} ${method} ${path} (${requestId}): ${text.slice(0, 300)}`);
        if (outcome === '4xx') return null; // refused: the state does not take it (e.g. the deadline fired first); nothing was written
      }
      await sleep(Math.min(2000, 200 * 2 ** Math.min(attempt, 4)));
    }
    this.record.commandsGivenUp++;
    return null;
  }
}
