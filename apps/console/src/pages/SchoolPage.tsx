import { Alert, Button, Card, Col, Form, Input, Row, Select, Space, Typography, Upload } from 'antd';
import { useState } from 'react';
import { api, type CaseView, type Me, type Page, request } from '../api';
import { CaseTable } from '../components/CaseTable';
import { ErrorAlert, useLoad, useNow } from '../components/common';
import { RowErrors } from '../components/RowErrors';
import { useI18n } from '../i18n';
import { Link } from '../router';

interface Outcome { recorded: number; absenceCasesOpened: string[]; dropoutsRegistered: string[]; relapses: string[] }

const DRAFT = 'shouhu.draft.attendance';
const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });

function OutcomeView({ outcome }: { outcome: Outcome }) {
  const { t } = useI18n();
  return (
    <Alert
      type="success"
      showIcon
      data-testid="attendance-outcome"
      style={{ marginBottom: 12 }}
      title={`${t('attendanceRecorded')}: ${outcome.recorded}`}
      description={
        <Space orientation="vertical" size={2}>
          <span>
            {t('absenceCasesOpened')}: {outcome.absenceCasesOpened.length}{' '}
            {outcome.absenceCasesOpened.map((id) => (
              <Link key={id} to={`cases/${id}`}>
                {id.slice(0, 8)}{' '}
              </Link>
            ))}
          </span>
          <span>
            {t('dropoutsRegistered')}: {outcome.dropoutsRegistered.length}
          </span>
        </Space>
      }
    />
  );
}

/** The school: record an absence (one row or the day's CSV file), follow its absence and dropout cases. */
export function SchoolPage({ me }: { me: Me }) {
  const { t } = useI18n();
  const now = useNow();
  const [form] = Form.useForm();
  const [outcome, setOutcome] = useState<Outcome>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const absences = useLoad(() => api.get<Page<CaseView>>('/cases?type=school-absence&limit=100'));
  const dropouts = useLoad(() => api.get<Page<CaseView>>('/cases?type=dropout-return&limit=100'));
  const reload = () => {
    absences.reload();
    dropouts.reload();
  };

  const initial = { township: me.township ?? '', date: today(), status: 'absent', ...JSON.parse(sessionStorage.getItem(DRAFT) ?? '{}') };

  const record = async (v: Record<string, string>) => {
    setBusy(true);
    setError(undefined);
    setOutcome(undefined);
    try {
      const row = { ...v, village: v.village || null, className: v.className || null, reason: v.reason || null };
      setOutcome(await api.post<Outcome>('/schools/attendance', { rows: [row] }));
      sessionStorage.removeItem(DRAFT);
      form.resetFields(['childId', 'childName', 'reason']);
      reload();
    } catch (e) {
      setError(e); // the form keeps every value
    } finally {
      setBusy(false);
    }
  };

  const upload = async (file: File) => {
    setBusy(true);
    setError(undefined);
    setOutcome(undefined);
    try {
      setOutcome(await request<Outcome>('POST', '/schools/attendance', await file.text(), { contentType: 'text/csv' }));
      reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
    return false;
  };

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={10}>
        <Card title={t('recordAbsence')} size="small">
          {outcome && <OutcomeView outcome={outcome} />}
          <ErrorAlert error={error} />
          <RowErrors error={error} />
          <Form form={form} layout="vertical" initialValues={initial} onFinish={record} onValuesChange={(_, all) => sessionStorage.setItem(DRAFT, JSON.stringify(all))}>
            <Row gutter={8}>
              <Col xs={12}>
                <Form.Item name="childId" label={t('childId')} rules={[{ required: true }]}>
                  <Input data-testid="att-childId" />
                </Form.Item>
              </Col>
              <Col xs={12}>
                <Form.Item name="childName" label={t('childName')} rules={[{ required: true }]}>
                  <Input data-testid="att-childName" />
                </Form.Item>
              </Col>
              <Col xs={12}>
                <Form.Item name="township" label={t('township')} rules={[{ required: true }]}>
                  <Input data-testid="att-township" />
                </Form.Item>
              </Col>
              <Col xs={12}>
                <Form.Item name="village" label={t('village')}>
                  <Input data-testid="att-village" placeholder="maluguo-village" />
                </Form.Item>
              </Col>
              <Col xs={12}>
                <Form.Item name="className" label={t('className')}>
                  <Input data-testid="att-className" />
                </Form.Item>
              </Col>
              <Col xs={12}>
                <Form.Item name="date" label={t('date')} rules={[{ required: true }]}>
                  <Input type="date" data-testid="att-date" />
                </Form.Item>
              </Col>
              <Col xs={12}>
                <Form.Item name="status" label={t('status')} rules={[{ required: true }]}>
                  <Select
                    data-testid="att-status"
                    options={[
                      { value: 'absent', label: t('absent') },
                      { value: 'excused', label: t('excused') },
                      { value: 'present', label: t('present') },
                    ]}
                  />
                </Form.Item>
              </Col>
              <Col xs={12}>
                <Form.Item name="reason" label={t('reason')}>
                  <Input data-testid="att-reason" />
                </Form.Item>
              </Col>
            </Row>
            <Button type="primary" htmlType="submit" loading={busy} data-testid="att-submit">
              {t('submit')}
            </Button>
          </Form>
        </Card>
        <Card title={t('uploadAttendance')} size="small" style={{ marginTop: 16 }}>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            childId,childName,township,village,className,date,status,reason
          </Typography.Paragraph>
          <Upload accept=".csv,text/csv" showUploadList={false} beforeUpload={upload} data-testid="att-upload">
            <Button loading={busy}>{t('chooseFile')}</Button>
          </Upload>
        </Card>
      </Col>
      <Col xs={24} lg={14}>
        <Card title={t('followCases')} size="small" extra={<Button size="small" onClick={reload} data-testid="refresh">{t('refresh')}</Button>}>
          <ErrorAlert error={absences.error ?? dropouts.error} />
          <CaseTable items={[...(dropouts.data?.items ?? []), ...(absences.data?.items ?? [])]} loading={absences.loading || dropouts.loading} now={now} testId="school-cases" />
        </Card>
      </Col>
    </Row>
  );
}
