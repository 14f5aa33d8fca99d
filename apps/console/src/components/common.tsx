import { Alert, Tag } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { humanError } from '../api';
import { useI18n } from '../i18n';
import { stateLabel } from '../labels';
import { timeLeft } from '../time';

/** An API error in words the user understands: the status in plain words, the API's message below it. */
export function ErrorAlert({ error, onClose }: { error: unknown; onClose?: () => void }) {
  const { lang } = useI18n();
  if (!error) return null;
  const h = humanError(error, lang);
  return (
    <Alert
      type="error"
      showIcon
      data-testid="error"
      title={h.title}
      description={
        <>
          {h.detail && <div>{h.detail}</div>}
          {h.requestId && <div style={{ fontSize: 12, opacity: 0.6 }}>request id: {h.requestId}</div>}
        </>
      }
      closable={onClose ? { onClose } : false}
      style={{ marginBottom: 12 }}
    />
  );
}

/** Loads once and on `reload()`; keeps the last data while reloading. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): { data: T | undefined; error: unknown; loading: boolean; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [n, setN] = useState(0);
  const current = useRef(0);
  useEffect(() => {
    const mine = ++current.current;
    setLoading(true);
    load()
      .then((d) => mine === current.current && (setData(d), setError(undefined)))
      .catch((e) => mine === current.current && setError(e))
      .finally(() => mine === current.current && setLoading(false));
  }, [...deps, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { data, error, loading, reload };
}

/** Re-renders every `ms` so "time left" and "time since" stay true. */
export function useNow(ms = 15_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

export function StateTag({ state, status }: { state: string; status?: string }) {
  const { lang } = useI18n();
  const overdue = /overdue/i.test(state);
  return <Tag color={status === 'done' ? 'default' : overdue ? 'red' : 'blue'}>{stateLabel(state, lang)}</Tag>;
}

export function TimeLeft({ dueAt, now }: { dueAt: string | null | undefined; now: number }) {
  const { lang, t } = useI18n();
  if (!dueAt) return <span style={{ opacity: 0.6 }}>{t('noDeadline')}</span>;
  const left = timeLeft(dueAt, now, lang);
  return (
    <Tag color={left.overdue ? 'red' : Date.parse(dueAt) - now < 3_600_000 ? 'orange' : 'green'} data-testid="time-left">
      {left.text}
    </Tag>
  );
}
