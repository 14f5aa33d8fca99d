import type { Lang } from './i18n';

/** "2小时15分" / "2 h 15 min": a duration a person reads at a glance (days, hours, minutes, seconds under a minute). */
export function duration(ms: number, lang: Lang): string {
  const s = Math.max(0, Math.floor(Math.abs(ms) / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts: string[] = [];
  if (lang === 'zh') {
    if (d) parts.push(`${d}天`);
    if (h) parts.push(`${h}小时`);
    if (m && !d) parts.push(`${m}分钟`);
    if (!d && !h && !m) parts.push(`${s % 60}秒`);
  } else {
    if (d) parts.push(`${d} d`);
    if (h) parts.push(`${h} h`);
    if (m && !d) parts.push(`${m} min`);
    if (!d && !h && !m) parts.push(`${s % 60} s`);
  }
  return parts.join(lang === 'zh' ? '' : ' ');
}

/** Time left until a deadline, or how long it is past. */
export function timeLeft(dueAt: string, now: number, lang: Lang): { text: string; overdue: boolean } {
  const ms = Date.parse(dueAt) - now;
  if (ms <= 0) return { text: lang === 'zh' ? `已逾期 ${duration(ms, lang)}` : `overdue by ${duration(ms, lang)}`, overdue: true };
  return { text: lang === 'zh' ? `剩余 ${duration(ms, lang)}` : `${duration(ms, lang)} left`, overdue: false };
}

export function since(at: string, now: number, lang: Lang): string {
  const ms = now - Date.parse(at);
  return lang === 'zh' ? `${duration(ms, lang)}前` : `${duration(ms, lang)} ago`;
}

/** A timestamp in Beijing time, as the county reads it. */
export function local(at: string | null | undefined): string {
  if (!at) return '—';
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return at;
  return d.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}
