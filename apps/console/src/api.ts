import type { Lang } from './i18n';

/** Everything the console knows it talks to: the HTTP API at /api/v1 on the same origin, with the user's token. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error?: string; message?: string; fields?: { field: string; message: string }[]; errors?: { row: number; field: string; message: string }[]; requestId?: string } | null,
  ) {
    super(body?.message ?? `HTTP ${status}`);
  }
}

const STATUS_WORDS: Record<number, [string, string]> = {
  0: ['无法连接服务器，请检查网络后重试。', 'The server cannot be reached; check the network and try again.'],
  400: ['填写的内容有误，请检查标出的项目。', 'Something in the form is not right; check the fields named.'],
  401: ['登录已失效或令牌无效，请重新登录。', 'Your login is no longer valid; please log in again.'],
  403: ['您的角色无权办理此项操作。', 'Your role may not do this.'],
  404: ['找不到该记录，或不在您的管辖范围内。', 'Not found, or outside your jurisdiction.'],
  409: ['此案件已被他人更新，请刷新后重试。', 'Someone else updated this case; refresh and try again.'],
  422: ['当前状态不允许此操作，或填写的内容不满足规则。', 'The case is not in a state that takes this, or a rule refused it.'],
  503: ['数据库或队列暂时不可用，请稍后重试。', 'The database or queue is unavailable; try again shortly.'],
};

/** What the user reads: the status in plain words, then the API's own message (it names the field or rule). */
export function humanError(err: unknown, lang: Lang): { title: string; detail: string | null; requestId: string | null } {
  const i = lang === 'zh' ? 0 : 1;
  if (err instanceof ApiError) {
    const words = STATUS_WORDS[err.status] ?? (err.status >= 500 ? ['服务器出错，请稍后重试。', 'The server failed; try again shortly.'] : [`请求失败（${err.status}）`, `Request failed (${err.status})`]);
    return { title: words[i], detail: err.body?.message ?? null, requestId: err.body?.requestId ?? null };
  }
  return { title: STATUS_WORDS[0]![i], detail: err instanceof Error ? err.message : String(err), requestId: null };
}

let token: string | null = sessionStorage.getItem('shouhu.token') ?? localStorage.getItem('shouhu.token');
let onUnauthorized: () => void = () => undefined;

export function setToken(value: string | null, remember = false): void {
  token = value;
  sessionStorage.removeItem('shouhu.token');
  localStorage.removeItem('shouhu.token');
  if (value) (remember ? localStorage : sessionStorage).setItem('shouhu.token', value);
}

export const currentToken = () => token;
export const whenUnauthorized = (fn: () => void) => (onUnauthorized = fn);

export async function request<T>(method: string, path: string, body?: unknown, opts: { contentType?: string; raw?: boolean; tokenOverride?: string } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  const bearer = opts.tokenOverride ?? token;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    if (opts.contentType) {
      headers['content-type'] = opts.contentType;
      payload = body as BodyInit;
    } else {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
  }
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body: payload });
  } catch {
    throw new ApiError(0, null);
  }
  if (opts.raw && res.ok) return res as unknown as T;
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!res.ok) {
    if (res.status === 401 && !opts.tokenOverride) onUnauthorized();
    throw new ApiError(res.status, parsed && typeof parsed === 'object' ? (parsed as ApiError['body']) : { message: String(parsed ?? '') });
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
};

// The shapes the console reads (from the API's controllers).

export interface Me {
  user: { id: string; name: string | null };
  role: string;
  unit: { id: string; name: string; kind: string };
  jurisdictionPath: string;
  county: string;
  township: string | null;
}

export interface Deadline { id: string; name: string; dueAt: string; overdue: boolean }

export interface CaseView {
  id: string;
  type: string;
  title: string;
  machine: { id: string; version: number };
  state: string;
  stateValue: unknown;
  status: string;
  version: number;
  ownerUnitId: string;
  jurisdictionPath: string;
  subject: { childId?: string; name?: string; township?: string; village?: string; school?: string; [k: string]: unknown };
  data: Record<string, unknown>;
  deadlines: Deadline[];
  allowedEvents: string[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface HistoryEntry {
  seq: number;
  eventType: string;
  payload: unknown;
  actor: { userId: string; unitId: string; role: string };
  fromState: string | null;
  toState: string;
  at: string;
}

export interface Notification { id: string; unitId: string; caseId: string; reason: string; deadline: string | null; payload: Record<string, unknown>; createdAt: string; ackedAt: string | null; ackedBy: string | null }

export interface GraphState { id: string; key: string; parent: string | null; type: string; initial: string | null }
export interface GraphTransition { source: string; target: string; event: string; label: string }
export interface Definition {
  type: string;
  version: number;
  title: string;
  permissions: { open: string[]; events: Record<string, string[]> };
  graph: { id: string; initial: string | null; states: GraphState[]; transitions: GraphTransition[] };
}

export interface Page<T> { items: T[]; total: number; limit: number; offset: number }
