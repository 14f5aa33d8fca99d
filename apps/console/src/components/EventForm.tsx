import { Button, Card, Checkbox, Form, Input, InputNumber, Select, Space } from 'antd';
import { useMemo, useState } from 'react';
import { api, type CaseView } from '../api';
import { useI18n } from '../i18n';
import { eventLabel } from '../labels';
import { ErrorAlert } from './common';
import { fieldsFor, optionsOf, type PolicyCodes, toPayload } from './event-fields';

/** What was typed stays in this browser until the event is accepted: a failed save loses nothing. */
export const draftKey = (caseId: string, event: string) => `shouhu.draft.${caseId}.${event}`;

function readDraft(key: string): Record<string, unknown> {
  try {
    return JSON.parse(localStorage.getItem(key) ?? '{}') as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** One allowed event as a form: sent with the version the user saw, so a case moved meanwhile answers 409. */
export function EventForm({ view, event, policy, onDone, onCancel }: { view: CaseView; event: string; policy: PolicyCodes | undefined; onDone: (next: CaseView) => void; onCancel: () => void }) {
  const { t, lang } = useI18n();
  const specs = fieldsFor(view.type, event);
  const key = draftKey(view.id, event);
  const initial = useMemo(() => readDraft(key), [key]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();

  const submit = async (values: Record<string, unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      let payload: Record<string, unknown>;
      try {
        payload = toPayload(specs, values);
      } catch (e) {
        throw new Error(lang === 'zh' ? `JSON 格式有误：${String(e)}` : `The JSON is not valid: ${String(e)}`);
      }
      const next = await api.post<CaseView>(`/cases/${view.id}/events`, { type: event, payload, expectedVersion: view.version });
      localStorage.removeItem(key);
      onDone(next);
    } catch (e) {
      // The form keeps its values; the draft is in localStorage too (a reload keeps it).
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card size="small" title={eventLabel(event, lang)} data-testid={`form-${event}`} style={{ marginTop: 12, borderColor: '#c0392b' }}>
      {error ? (
        <>
          <ErrorAlert error={error} />
          <div style={{ marginTop: -6, marginBottom: 12, fontSize: 12 }} data-testid="draft-kept">
            {t('draftKept')}
          </div>
        </>
      ) : null}
      <Form form={form} layout="vertical" initialValues={initial} onValuesChange={(_, all) => localStorage.setItem(key, JSON.stringify(all))} onFinish={submit}>
        {specs.map((s) => {
          const label = lang === 'zh' ? s.zh : s.en;
          const rules = s.required ? [{ required: true, message: `${label}${lang === 'zh' ? '为必填项' : ' is required'}` }] : [];
          const testId = `field-${s.name}`;
          if (s.kind === 'checkbox')
            return (
              <Form.Item key={s.name} name={s.name} valuePropName="checked" rules={s.required ? [{ validator: (_, v) => (v ? Promise.resolve() : Promise.reject(new Error(`${label}`))) }] : []}>
                <Checkbox data-testid={testId}>{label}</Checkbox>
              </Form.Item>
            );
          let input: React.ReactNode;
          if (s.kind === 'textarea' || s.kind === 'lines' || s.kind === 'json') input = <Input.TextArea rows={s.kind === 'json' ? 4 : 3} data-testid={testId} />;
          else if (s.kind === 'select' || s.kind === 'multiselect')
            input = <Select data-testid={testId} mode={s.kind === 'multiselect' ? 'multiple' : undefined} options={optionsOf(s, policy, lang)} allowClear={!s.required} popupMatchSelectWidth={false} />;
          else if (s.kind === 'number') input = <InputNumber min={0} precision={0} style={{ width: '100%' }} data-testid={testId} />;
          else if (s.kind === 'date') input = <Input type="date" data-testid={testId} />;
          else input = <Input data-testid={testId} />;
          return (
            <Form.Item key={s.name} name={s.name} label={label} rules={rules}>
              {input}
            </Form.Item>
          );
        })}
        <Space>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="submit-event">
            {t('submit')}
          </Button>
          <Button onClick={onCancel}>{t('cancel')}</Button>
        </Space>
      </Form>
    </Card>
  );
}
