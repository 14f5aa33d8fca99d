import { Button, Card, Col, Descriptions, Empty, List, Modal, Row, Space, Spin, Tag, Timeline, Typography } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { api, ApiError, type CaseView, type Definition, type HistoryEntry, type Me, request } from '../api';
import { activePaths } from '../components/active-paths';
import { EventForm } from '../components/EventForm';
import type { PolicyCodes } from '../components/event-fields';
import { ErrorAlert, StateTag, TimeLeft, useLoad, useNow } from '../components/common';
import { useI18n } from '../i18n';
import { deadlineLabel, eventLabel, roleLabel, stateLabel, titleLabel } from '../labels';
import { local } from '../time';

// The diagram (and ECharts with it) loads with the first case page.
const Diagram = lazy(() => import('../components/Diagram').then((m) => ({ default: m.Diagram })));

interface ChildFile { childId: string; name?: string; township?: string; village?: string; [k: string]: unknown }

/** An event's fields in one line; long values are cut (the full record stays in the API's history). */
const payloadText = (p: unknown): string => {
  if (!p || typeof p !== 'object') return '';
  const short = (v: unknown) => {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    return text.length > 80 ? `${text.slice(0, 80)}…` : text;
  };
  return Object.entries(p as Record<string, unknown>)
    .filter(([k]) => !k.startsWith('$'))
    .map(([k, v]) => `${k}: ${short(v)}`)
    .join('；');
};

/** A case: the child's file, the machine with the current state, the timeline, deadlines, and the actions allowed now. */
export function CasePage({ id, me }: { id: string; me: Me }) {
  const { t, lang } = useI18n();
  const now = useNow(10_000);
  const [event, setEvent] = useState<string | null>(null);
  const [report, setReport] = useState<string | null>(null);
  const [reportError, setReportError] = useState<unknown>();
  const view = useLoad(() => api.get<CaseView>(`/cases/${id}`), [id]);
  const history = useLoad(() => api.get<{ entries: HistoryEntry[]; verification: { valid: boolean } }>(`/cases/${id}/history`), [id]);
  const c = view.data;
  const def = useLoad(async () => (c ? api.get<Definition>(`/definitions/${c.type}?version=${c.machine.version}`) : undefined), [c?.type, c?.machine.version]);
  const policy = useLoad(() => api.get<PolicyCodes>('/policy'), []);
  const child = useLoad(async () => {
    if (!c?.subject.childId) return null;
    try {
      return await api.get<ChildFile>(`/children/${encodeURIComponent(c.subject.childId)}`);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 403)) return null;
      throw e;
    }
  }, [c?.subject.childId]);

  if (view.error && !c) return <ErrorAlert error={view.error} />;
  if (!c) return <Spin style={{ display: 'block', margin: 80 }} />;

  const done = (next: CaseView) => {
    setEvent(null);
    view.reload();
    history.reload();
    void next;
  };

  const openReport = async () => {
    setReportError(undefined);
    try {
      const res = await request<Response>('GET', `/cases/${c.id}/written-report?format=html`, undefined, { raw: true });
      setReport(await res.text());
    } catch (e) {
      setReportError(e);
    }
  };

  const file = child.data;
  const subject = c.subject;
  const entries = history.data?.entries ?? [];

  return (
    <div data-testid="case-page">
      <Space wrap style={{ marginBottom: 12 }} align="center">
        <Typography.Title level={4} style={{ margin: 0 }} data-testid="case-title">
          {titleLabel(def.data?.title ?? c.title, c.type, lang)} · {subject.name ?? subject.childId ?? subject.township}
        </Typography.Title>
        <span data-testid="case-state">
          <StateTag state={c.state} status={c.status} />
        </span>
        <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="case-version" data-version={c.version}>
          {t('caseId')} {c.id} · {t('version')} {c.version}
        </Typography.Text>
      </Space>
      <ErrorAlert error={view.error ?? history.error ?? def.error} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('actions')} data-testid="actions">
            {c.allowedEvents.length === 0 ? (
              <Typography.Text type="secondary">{t('noActions')}</Typography.Text>
            ) : (
              <Space wrap>
                {c.allowedEvents.map((e) => (
                  <Button key={e} type={event === e ? 'primary' : 'default'} data-testid={`action-${e}`} onClick={() => setEvent(e)}>
                    {eventLabel(e, lang)}
                  </Button>
                ))}
              </Space>
            )}
            {event && c.allowedEvents.includes(event) && <EventForm key={`${c.id}-${event}`} view={c} event={event} policy={policy.data} onDone={done} onCancel={() => setEvent(null)} />}
            {c.type === 'dropout-return' && (
              <div style={{ marginTop: 12 }}>
                <Button onClick={openReport} data-testid="written-report">
                  {t('viewWrittenReport')}
                </Button>
                <ErrorAlert error={reportError} />
              </div>
            )}
          </Card>
          <Card size="small" title={t('deadlines')} style={{ marginTop: 16 }} data-testid="deadlines">
            {c.deadlines.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('nothing')} />
            ) : (
              <List
                size="small"
                dataSource={c.deadlines}
                renderItem={(d) => (
                  <List.Item>
                    <span>{deadlineLabel(d.name, lang)}</span>
                    <span>
                      <span style={{ fontSize: 12, opacity: 0.7, marginRight: 8 }}>{local(d.dueAt)}</span>
                      <TimeLeft dueAt={d.dueAt} now={now} />
                    </span>
                  </List.Item>
                )}
              />
            )}
          </Card>
          <Card size="small" title={t('childFile')} style={{ marginTop: 16 }} data-testid="child-file">
            {file === null && <Typography.Paragraph type="secondary">{t('noChildFile')}</Typography.Paragraph>}
            <Descriptions size="small" column={1} bordered>
              <Descriptions.Item label={t('childId')}>{subject.childId ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('childName')}>{String(file?.name ?? subject.name ?? '—')}</Descriptions.Item>
              <Descriptions.Item label={t('township')}>{String(file?.township ?? subject.township ?? '—')}</Descriptions.Item>
              <Descriptions.Item label={t('village')}>{String(file?.village ?? subject.village ?? '—')}</Descriptions.Item>
              {file &&
                Object.entries(file)
                  .filter(([k, v]) => !['childId', 'name', 'township', 'village'].includes(k) && v !== null && typeof v !== 'object')
                  .slice(0, 12)
                  .map(([k, v]) => (
                    <Descriptions.Item key={k} label={k}>
                      {String(v)}
                    </Descriptions.Item>
                  ))}
              <Descriptions.Item label={t('unit')}>{c.ownerUnitId}</Descriptions.Item>
              <Descriptions.Item label={t('opened')}>{local(c.createdAt)}</Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card size="small" title={t('diagram')} data-testid="diagram-card">
            <Suspense fallback={<Spin />}>{def.data ? <Diagram def={def.data} stateValue={c.stateValue} /> : <Spin />}</Suspense>
            <div style={{ fontSize: 12, opacity: 0.75 }} data-testid="diagram-active">
              {t('state')}：{stateLabel(c.state, lang)}
              <span style={{ display: 'none' }}>{activePaths(c.stateValue).join(' ')}</span>
            </div>
          </Card>
          <Card
            size="small"
            title={t('timeline')}
            style={{ marginTop: 16 }}
            data-testid="timeline"
            extra={history.data && <Tag color={history.data.verification.valid ? 'green' : 'red'}>{history.data.verification.valid ? t('verified') : t('notVerified')}</Tag>}
          >
            <Timeline
              items={entries
                .slice()
                .reverse()
                .map((e) => ({
                  key: e.seq,
                  color: /overdue/i.test(e.toState) ? 'red' : e.actor.role === 'system' ? 'gray' : 'blue',
                  title: local(e.at),
                  content: (
                    <div data-testid="timeline-entry">
                      <strong>{eventLabel(e.eventType.startsWith('xstate.after') ? 'deadline' : e.eventType, lang)}</strong>{' '}
                      <Typography.Text type="secondary">
                        {e.actor.userId} · {roleLabel(e.actor.role, lang)}
                      </Typography.Text>
                      <div style={{ fontSize: 12 }}>
                        {e.fromState ? `${stateLabel(e.fromState, lang)} → ` : ''}
                        {stateLabel(e.toState, lang)}
                      </div>
                      {e.eventType !== 'case.opened' && payloadText(e.payload) && <div style={{ fontSize: 12, opacity: 0.75, wordBreak: 'break-all' }}>{payloadText(e.payload)}</div>}
                    </div>
                  ),
                }))}
            />
          </Card>
        </Col>
      </Row>
      <Modal open={report !== null} onCancel={() => setReport(null)} footer={null} width={860} title={t('writtenReport')}>
        {/* The report is HTML the API escapes; shown sandboxed, no script runs. */}
        {report !== null && <iframe title={t('writtenReport')} data-testid="written-report-frame" sandbox="" srcDoc={report} style={{ width: '100%', height: '70vh', border: '1px solid #eee' }} />}
      </Modal>
    </div>
  );
}
