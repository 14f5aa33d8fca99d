import { Button, Card, Col, Row, Space, Statistic, Table } from 'antd';
import { useMemo, useState } from 'react';
import { api, type Me, request } from '../api';
import { Chart } from '../components/Chart';
import { ErrorAlert, useLoad } from '../components/common';
import { useI18n } from '../i18n';
import { deadlineLabel, typeLabel } from '../labels';

interface Dashboard {
  scope: string;
  generatedAt: string;
  month: string;
  openCases: { type: string; township: string; count: number }[];
  overdueByUnit: { unitId: string; unitName: string; unitKind: string; cases: number }[];
  escalations: { month: string; total: number; byChain: { chain: string; count: number }[] };
  quarterlyReturns: { quarters: { quarter: string; onTime: number; late: number; overdue: number; pending: number }[]; rows: { quarter: string; township: string; status: string; filedAt: string | null }[] };
}

/** The joint-meeting office's county dashboard: every figure from GET /dashboard (SQL on the server). */
export function DashboardPage({ me }: { me: Me }) {
  const { t, lang } = useI18n();
  const d = useLoad(() => api.get<Dashboard>('/dashboard'));
  const [exportError, setExportError] = useState<unknown>();
  const data = d.data;

  const download = async (format: 'csv' | 'xlsx') => {
    setExportError(undefined);
    try {
      const res = await request<Response>('GET', `/dashboard/export?format=${format}`, undefined, { raw: true });
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `dashboard.${format}`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      setExportError(e);
    }
  };

  const open = useMemo(() => {
    if (!data) return null;
    const types = [...new Set(data.openCases.map((r) => r.type))];
    const towns = [...new Set(data.openCases.map((r) => r.township || '(county)'))];
    return {
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 40, right: 10, top: 10, bottom: 60, containLabel: true },
      xAxis: { type: 'category', data: towns, axisLabel: { rotate: 30 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: types.map((ty) => ({
        name: typeLabel(ty, lang),
        type: 'bar',
        stack: 'open',
        data: towns.map((tw) => data.openCases.find((r) => r.type === ty && (r.township || '(county)') === tw)?.count ?? 0),
      })),
    };
  }, [data, lang]);

  const overdue = useMemo(
    () =>
      data && {
        tooltip: {},
        grid: { left: 10, right: 20, top: 10, bottom: 10, containLabel: true },
        xAxis: { type: 'value', minInterval: 1 },
        yAxis: { type: 'category', data: data.overdueByUnit.map((r) => r.unitName).reverse() },
        series: [{ type: 'bar', data: data.overdueByUnit.map((r) => r.cases).reverse(), itemStyle: { color: '#c0392b' } }],
      },
    [data],
  );

  const returns = useMemo(() => {
    if (!data) return null;
    const qs = data.quarterlyReturns.quarters.slice().reverse();
    const series = (['onTime', 'late', 'overdue', 'pending'] as const).map((k, i) => ({
      name: t(k),
      type: 'bar',
      stack: 'q',
      data: qs.map((q) => q[k]),
      itemStyle: { color: ['#27ae60', '#f39c12', '#c0392b', '#bdc3c7'][i] },
    }));
    return { tooltip: { trigger: 'axis' }, legend: { bottom: 0 }, grid: { left: 10, right: 10, top: 10, bottom: 40, containLabel: true }, xAxis: { type: 'category', data: qs.map((q) => q.quarter) }, yAxis: { type: 'value', minInterval: 1 }, series };
  }, [data, t]);

  return (
    <div data-testid="dashboard">
      <Space wrap style={{ marginBottom: 12 }}>
        <Button onClick={d.reload}>{t('refresh')}</Button>
        <Button onClick={() => download('csv')} data-testid="export-csv">
          {t('exportCsv')}
        </Button>
        <Button onClick={() => download('xlsx')} data-testid="export-xlsx">
          {t('exportXlsx')}
        </Button>
        <span style={{ opacity: 0.6 }}>
          {me.unit.name} · {data?.scope || '*'} · {data?.generatedAt?.slice(0, 16).replace('T', ' ')}
        </span>
      </Space>
      <ErrorAlert error={d.error ?? exportError} />
      {data && (
        <Row gutter={[16, 16]}>
          <Col xs={12} md={6}>
            <Card size="small">
              <Statistic title={t('openCases')} value={data.openCases.reduce((n, r) => n + r.count, 0)} />
            </Card>
          </Col>
          <Col xs={12} md={6}>
            <Card size="small">
              <Statistic title={t('overdueByUnit')} value={data.overdueByUnit.reduce((n, r) => n + r.cases, 0)} styles={{ content: { color: '#c0392b' } }} />
            </Card>
          </Col>
          <Col xs={12} md={6}>
            <Card size="small">
              <Statistic title={`${t('escalations')} (${data.escalations.month})`} value={data.escalations.total} />
            </Card>
          </Col>
          <Col xs={12} md={6}>
            <Card size="small">
              <Statistic title={`${t('quarterlyReturns')} · ${t('late')}/${t('overdue')}`} value={data.quarterlyReturns.rows.filter((r) => r.status === 'late' || r.status === 'overdue').length} />
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card size="small" title={t('openCases')}>
              {open && <Chart option={open} testId="chart-open" />}
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card size="small" title={t('overdueByUnit')}>
              {overdue && <Chart option={overdue} testId="chart-overdue" />}
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card size="small" title={`${t('escalations')} · ${data.escalations.month}`}>
              <Table size="small" rowKey="chain" pagination={false} dataSource={data.escalations.byChain} locale={{ emptyText: t('nothing') }} columns={[{ title: t('escalationChain'), dataIndex: 'chain', render: (c: string) => deadlineLabel(c, lang) }, { title: t('total'), dataIndex: 'count' }]} />
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card size="small" title={t('quarterlyReturns')}>
              {returns && <Chart option={returns} height={260} testId="chart-returns" />}
              <Table
                size="small"
                rowKey={(r) => `${r.quarter}-${r.township}`}
                pagination={{ pageSize: 8, hideOnSinglePage: true }}
                dataSource={data.quarterlyReturns.rows}
                locale={{ emptyText: t('nothing') }}
                columns={[
                  { title: t('quarter'), dataIndex: 'quarter' },
                  { title: t('township'), dataIndex: 'township' },
                  { title: t('status'), dataIndex: 'status', render: (s: string) => t(s as 'onTime') },
                  { title: t('filedAt'), dataIndex: 'filedAt', responsive: ['md'], render: (f: string | null) => f?.slice(0, 16).replace('T', ' ') ?? '—' },
                ]}
              />
            </Card>
          </Col>
        </Row>
      )}
    </div>
  );
}
