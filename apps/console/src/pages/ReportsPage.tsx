import { Button, Card, Col, Form, Input, Row, Select } from 'antd';
import { useState } from 'react';
import { api, type CaseView, type Me, type Page } from '../api';
import { CaseTable } from '../components/CaseTable';
import { ErrorAlert, useLoad, useNow } from '../components/common';
import type { PolicyCodes } from '../components/event-fields';
import { useI18n } from '../i18n';
import { useRoute } from '../router';

const DRAFT = 'shouhu.draft.report';

/** The police station's mandatory reports (newest first, with the time since filing), or the form to file one. */
export function ReportsPage({ me, mode }: { me: Me; mode: 'station' | 'file' }) {
  return mode === 'station' ? <Station me={me} /> : <FileReport me={me} />;
}

function Station({ me }: { me: Me }) {
  const { t } = useI18n();
  const now = useNow(5_000);
  const list = useLoad(() => api.get<Page<CaseView>>('/cases?type=mandatory-report&limit=100'));
  // Open reports first, the newest on top: a new report is the most urgent thing a station has.
  const items = (list.data?.items ?? []).slice().sort((a, b) => Number(b.status === 'active') - Number(a.status === 'active') || Date.parse(b.createdAt) - Date.parse(a.createdAt));
  return (
    <Card title={`${t('newReports')} · ${me.unit.name}`} extra={<Button size="small" onClick={list.reload} data-testid="refresh">{t('refresh')}</Button>}>
      <ErrorAlert error={list.error} />
      <CaseTable items={items} loading={list.loading} now={now} sinceFiling testId="reports" />
    </Card>
  );
}

function FileReport({ me }: { me: Me }) {
  const { t, lang } = useI18n();
  const { go } = useRoute();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const policy = useLoad(() => api.get<PolicyCodes>('/policy'));
  const initial = { child: { township: me.township ?? undefined }, ...JSON.parse(sessionStorage.getItem(DRAFT) ?? '{}') };

  const submit = async (v: { child: Record<string, string>; triggers: string[]; description: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      const child = Object.fromEntries(Object.entries(v.child).filter(([, x]) => x));
      const created = await api.post<CaseView>('/reports', { child, triggers: v.triggers, description: v.description });
      sessionStorage.removeItem(DRAFT);
      go(`cases/${created.id}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('fileReport')} style={{ maxWidth: 760 }}>
      <ErrorAlert error={error ?? policy.error} />
      <Form layout="vertical" initialValues={initial} onFinish={submit} onValuesChange={(_, all) => sessionStorage.setItem(DRAFT, JSON.stringify(all))}>
        <Row gutter={8}>
          <Col xs={12}>
            <Form.Item name={['child', 'childId']} label={t('childId')} rules={[{ required: true }]}>
              <Input data-testid="rep-childId" />
            </Form.Item>
          </Col>
          <Col xs={12}>
            <Form.Item name={['child', 'name']} label={t('childName')}>
              <Input data-testid="rep-name" />
            </Form.Item>
          </Col>
          <Col xs={12}>
            <Form.Item name={['child', 'township']} label={t('township')} rules={[{ required: true }]}>
              <Input data-testid="rep-township" />
            </Form.Item>
          </Col>
          <Col xs={12}>
            <Form.Item name={['child', 'village']} label={t('village')}>
              <Input data-testid="rep-village" />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="triggers" label={t('triggers')} rules={[{ required: true }]}>
          <Select mode="multiple" data-testid="rep-triggers" options={(policy.data?.reportTriggers ?? []).map((x) => ({ value: x.code, label: lang === 'zh' ? x.zh : x.en }))} />
        </Form.Item>
        <Form.Item name="description" label={t('description')} rules={[{ required: true }]}>
          <Input.TextArea rows={4} data-testid="rep-description" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="rep-submit">
          {t('submit')}
        </Button>
      </Form>
    </Card>
  );
}
