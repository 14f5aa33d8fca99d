import { Button, Card, Select, Space, Switch } from 'antd';
import { useState } from 'react';
import { api, type CaseView, type Me, type Page } from '../api';
import { CaseTable } from '../components/CaseTable';
import { ErrorAlert, useLoad, useNow } from '../components/common';
import { useI18n } from '../i18n';
import { titleLabel } from '../labels';

/** Cases inside the user's jurisdiction (and those the unit takes part in), filtered by type and overdue. */
export function CasesPage({ me }: { me: Me }) {
  const { t, lang } = useI18n();
  const now = useNow();
  const [type, setType] = useState<string | undefined>();
  const [overdue, setOverdue] = useState(false);
  const defs = useLoad(() => api.get<{ type: string; title: string }[]>('/definitions'));
  const list = useLoad(() => api.get<Page<CaseView>>(`/cases?limit=100${type ? `&type=${type}` : ''}${overdue ? '&overdue=true' : ''}`), [type, overdue]);
  return (
    <Card
      title={`${t('cases')} · ${me.unit.name}`}
      extra={
        <Space wrap>
          <Select
            allowClear
            placeholder={t('type')}
            style={{ minWidth: 160 }}
            value={type}
            onChange={setType}
            data-testid="type-filter"
            options={(defs.data ?? []).map((d) => ({ value: d.type, label: titleLabel(d.title, d.type, lang) }))}
          />
          <Switch size="small" checked={overdue} onChange={setOverdue} /> {t('overdue')}
          <Button size="small" onClick={list.reload}>
            {t('refresh')}
          </Button>
        </Space>
      }
    >
      <ErrorAlert error={list.error ?? defs.error} />
      <CaseTable items={list.data?.items ?? []} loading={list.loading} now={now} testId="cases" />
    </Card>
  );
}
