import { App, Button, Card, Col, Row, Space, Switch, Table, Typography } from 'antd';
import { useState } from 'react';
import { api, type CaseView, type Me, type Notification, type Page } from '../api';
import { ErrorAlert, StateTag, TimeLeft, useLoad, useNow } from '../components/common';
import { useI18n } from '../i18n';
import { deadlineLabel, typeLabel } from '../labels';
import { Link } from '../router';
import { local } from '../time';

/** Overdue first, then the nearest deadline, then the newest. */
export function byUrgency<T>(deadlineOf: (x: T) => string | null | undefined, createdOf: (x: T) => string, now: number) {
  return (a: T, b: T) => {
    const da = deadlineOf(a) ? Date.parse(deadlineOf(a)!) : Infinity;
    const db = deadlineOf(b) ? Date.parse(deadlineOf(b)!) : Infinity;
    const oa = da <= now ? 0 : 1;
    const ob = db <= now ? 0 : 1;
    if (oa !== ob) return oa - ob;
    if (da !== db) return da - db;
    return Date.parse(createdOf(b)) - Date.parse(createdOf(a));
  };
}

export function InboxPage({ me }: { me: Me }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const now = useNow();
  const [unacked, setUnacked] = useState(true);
  const [ackError, setAckError] = useState<unknown>();
  const inbox = useLoad(() => api.get<Page<Notification>>(`/inbox?limit=100${unacked ? '&unacked=true' : ''}`), [unacked]);
  const work = useLoad(() => api.get<Page<CaseView>>('/cases?limit=100'));

  const ack = async (id: string) => {
    try {
      await api.post(`/inbox/${id}/ack`);
      message.success(t('acked'));
      setAckError(undefined);
      inbox.reload();
    } catch (e) {
      setAckError(e);
    }
  };

  const notes = (inbox.data?.items ?? []).slice().sort(byUrgency((n) => (n.ackedAt ? null : n.deadline), (n) => n.createdAt, now));
  const due = (work.data?.items ?? [])
    .filter((c) => c.status === 'active' && c.deadlines.length > 0 && (c.ownerUnitId === me.unit.id || c.allowedEvents.length > 0))
    .sort(byUrgency((c) => c.deadlines[0]?.dueAt, (c) => c.updatedAt, now));

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={14}>
        <Card
          title={`${t('notifications')} · ${me.unit.name}`}
          extra={
            <Space>
              <Switch size="small" checked={unacked} onChange={setUnacked} /> <span>{t('onlyUnacked')}</span>
              <Button size="small" onClick={inbox.reload} data-testid="inbox-refresh">
                {t('refresh')}
              </Button>
            </Space>
          }
        >
          <ErrorAlert error={inbox.error ?? ackError} />
          <Table<Notification>
            data-testid="inbox"
            rowKey="id"
            size="small"
            loading={inbox.loading}
            dataSource={notes}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            locale={{ emptyText: t('nothing') }}
            columns={[
              {
                title: t('reason'),
                dataIndex: 'reason',
                render: (r: string, n) => (
                  <div>
                    <Link to={`cases/${n.caseId}`}>{r.split(' / ')[lang === 'zh' ? 0 : 1] ?? r}</Link>
                    <div style={{ fontSize: 12, opacity: 0.6 }}>{local(n.createdAt)}</div>
                  </div>
                ),
              },
              { title: t('timeLeft'), dataIndex: 'deadline', width: 140, render: (d: string | null, n) => (n.ackedAt ? t('acked') : <TimeLeft dueAt={d} now={now} />) },
              {
                title: '',
                width: 100,
                render: (_: unknown, n) =>
                  n.ackedAt ? null : (
                    <Button size="small" data-testid="ack" onClick={() => ack(n.id)}>
                      {t('ack')}
                    </Button>
                  ),
              },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24} xl={10}>
        <Card title={t('dueWork')} extra={<Button size="small" onClick={work.reload} data-testid="work-refresh">{t('refresh')}</Button>}>
          <ErrorAlert error={work.error} />
          <Table<CaseView>
            data-testid="due-work"
            rowKey="id"
            size="small"
            loading={work.loading}
            dataSource={due}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            locale={{ emptyText: t('nothing') }}
            columns={[
              {
                title: t('case'),
                render: (_: unknown, c) => (
                  <div>
                    <Link to={`cases/${c.id}`}>{typeLabel(c.type, lang)}</Link> <Typography.Text type="secondary">{c.subject.name ?? c.subject.childId ?? c.subject.township}</Typography.Text>
                    <div>
                      <StateTag state={c.state} status={c.status} />
                    </div>
                  </div>
                ),
              },
              {
                title: t('deadline'),
                width: 170,
                render: (_: unknown, c) => (
                  <div>
                    <div style={{ fontSize: 12 }}>{deadlineLabel(c.deadlines[0]!.name, lang)}</div>
                    <TimeLeft dueAt={c.deadlines[0]!.dueAt} now={now} />
                  </div>
                ),
              },
            ]}
          />
        </Card>
      </Col>
    </Row>
  );
}
