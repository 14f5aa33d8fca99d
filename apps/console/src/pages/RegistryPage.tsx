import { Alert, Button, Card, Input, Progress, Select, Space, Table, Tabs, Tag, Upload } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { api, type CaseView, type Me, type Page, request } from '../api';
import { CaseTable } from '../components/CaseTable';
import { ErrorAlert, useLoad, useNow } from '../components/common';
import { RowErrors } from '../components/RowErrors';
import { useI18n } from '../i18n';
import { local } from '../time';

interface ChildRow { childId: string; name: string; township: string; village: string; living: string; keyChild?: boolean; school?: string | null; birthDate?: string; updatedAt?: string }

const LIVING: Record<string, [string, string]> = {
  'with-parent': ['与父母一方同住', 'with a parent'],
  'with-entrusted-guardian': ['委托监护', 'with an entrusted guardian'],
  alone: ['独居', 'alone'],
  unattended: ['无人照料', 'unattended'],
};

/** The township's or village's children: search and filters over the registry. */
function Children({ me }: { me: Me }) {
  const { t, lang } = useI18n();
  const [living, setLiving] = useState<string>();
  const [keyChild, setKeyChild] = useState<string>();
  const [village, setVillage] = useState<string>();
  const [q, setQ] = useState('');
  const params = new URLSearchParams({ limit: '500' });
  if (living) params.set('living', living);
  if (keyChild) params.set('keyChild', keyChild);
  if (village) params.set('village', village);
  const list = useLoad(() => api.get<{ items: ChildRow[]; total: number }>(`/children?${params}`), [living, keyChild, village]);
  const needle = q.trim().toLowerCase();
  const items = (list.data?.items ?? []).filter((c) => !needle || c.name.toLowerCase().includes(needle) || c.childId.toLowerCase().includes(needle));
  const villages = [...new Set((list.data?.items ?? []).map((c) => c.village))];
  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search allowClear placeholder={t('search')} value={q} onChange={(e) => setQ(e.target.value)} style={{ width: 220 }} data-testid="registry-search" />
        <Select allowClear placeholder={t('village')} value={village} onChange={setVillage} style={{ minWidth: 150 }} options={villages.map((v) => ({ value: v, label: v }))} />
        <Select allowClear placeholder={t('living')} value={living} onChange={setLiving} style={{ minWidth: 150 }} options={Object.entries(LIVING).map(([v, l]) => ({ value: v, label: l[lang === 'zh' ? 0 : 1] }))} />
        <Select allowClear placeholder={t('keyChild')} value={keyChild} onChange={setKeyChild} style={{ minWidth: 120 }} options={[{ value: 'true', label: t('yes') }, { value: 'false', label: t('no') }]} />
      </Space>
      <ErrorAlert error={list.error} />
      <Table<ChildRow>
        data-testid="children"
        rowKey="childId"
        size="small"
        loading={list.loading}
        dataSource={items}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: t('nothing') }}
        columns={[
          { title: t('childId'), dataIndex: 'childId' },
          { title: t('childName'), dataIndex: 'name' },
          { title: t('village'), dataIndex: 'village', responsive: ['sm'] },
          { title: t('living'), dataIndex: 'living', render: (l: string) => <Tag color={l === 'alone' || l === 'unattended' ? 'red' : 'default'}>{LIVING[l]?.[lang === 'zh' ? 0 : 1] ?? l}</Tag> },
          { title: t('keyChild'), dataIndex: 'keyChild', render: (k?: boolean) => (k ? <Tag color="orange">{t('yes')}</Tag> : '') },
          { title: t('updated'), dataIndex: 'updatedAt', responsive: ['md'], render: (u?: string) => local(u) },
        ]}
      />
      <div style={{ fontSize: 12, opacity: 0.6 }}>
        {me.unit.name} · {t('total')} {list.data?.total ?? 0}
      </div>
    </>
  );
}

/** POST /registry/imports answers 202 with this; GET /registry/imports/:id reports progress until done, rejected or failed. */
interface ImportJob { id: string; status: 'queued' | 'validating' | 'importing' | 'done' | 'rejected' | 'failed'; total: number; processed: number; imported: number; errors: { row: number; field: string; message: string }[] }

const FINISHED = new Set(['done', 'rejected', 'failed']);
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The census file import: a progress bar while the worker imports, then the error report if any row is bad. */
function Import() {
  const { t } = useI18n();
  const [job, setJob] = useState<ImportJob>();
  const [error, setError] = useState<unknown>();
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const poll = (id: string) => {
    timer.current = setTimeout(async () => {
      try {
        const next = await api.get<ImportJob>(`/registry/imports/${id}`);
        setJob(next);
        if (!FINISHED.has(next.status)) poll(id);
      } catch (e) {
        setError(e);
      }
    }, 700);
  };

  const upload = async (file: File) => {
    setError(undefined);
    setJob(undefined);
    const type = file.name.toLowerCase().endsWith('.xlsx') ? XLSX : 'text/csv';
    try {
      const body = type === XLSX ? await file.arrayBuffer() : await file.text();
      const started = await request<ImportJob>('POST', '/registry/imports', body, { contentType: type });
      setJob(started);
      if (!FINISHED.has(started.status)) poll(started.id);
    } catch (e) {
      setError(e);
    }
    return false;
  };

  const percent = job && job.total > 0 ? Math.round((job.processed / job.total) * 100) : job?.status === 'done' ? 100 : 0;
  return (
    <Card size="small" title={t('importCensus')}>
      <Upload accept=".csv,.xlsx,text/csv" showUploadList={false} beforeUpload={upload}>
        <Button>{t('chooseFile')}</Button>
      </Upload>
      <ErrorAlert error={error} />
      {job && (
        <div style={{ marginTop: 16 }} data-testid="import-job">
          <div>
            {t('importProgress')}: {job.processed}/{job.total} · {t('imported')} {job.imported} · {job.status}
          </div>
          <Progress percent={percent} status={job.status === 'failed' || job.status === 'rejected' ? 'exception' : job.status === 'done' ? 'success' : 'active'} />
          {job.status === 'done' && <Alert type="success" showIcon title={t('importDone')} />}
          {job.status === 'rejected' && <Alert type="error" showIcon title={t('importRejected')} style={{ marginBottom: 8 }} />}
          {job.errors.length > 0 && (
            <Table size="small" rowKey={(r) => `${r.row}-${r.field}`} dataSource={job.errors} pagination={{ pageSize: 10, hideOnSinglePage: true }} columns={[{ title: t('row'), dataIndex: 'row' }, { title: t('field'), dataIndex: 'field' }, { title: t('message'), dataIndex: 'message' }]} />
          )}
        </div>
      )}
      <RowErrors error={error} />
    </Card>
  );
}

/** The township's quarterly returns: each quarter's case, its state and deadline (filed from the case page). */
function Returns() {
  const now = useNow();
  const list = useLoad(() => api.get<Page<CaseView>>('/cases?type=quarterly-return&limit=100'));
  return (
    <>
      <ErrorAlert error={list.error} />
      <CaseTable items={list.data?.items ?? []} loading={list.loading} now={now} testId="returns" />
    </>
  );
}

export function RegistryPage({ me }: { me: Me }) {
  const { t } = useI18n();
  return (
    <Card title={`${t('registry')} · ${me.unit.name}`}>
      <Tabs
        items={[
          { key: 'children', label: t('registry'), children: <Children me={me} /> },
          { key: 'import', label: t('importCensus'), children: <Import /> },
          { key: 'returns', label: t('returns'), children: <Returns /> },
        ]}
      />
    </Card>
  );
}
