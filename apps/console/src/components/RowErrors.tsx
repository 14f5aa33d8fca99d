import { Table } from 'antd';
import { ApiError } from '../api';
import { useI18n } from '../i18n';

/** A file's per-row, per-field error list (the API refuses the whole file and names each problem). */
export function RowErrors({ error }: { error: unknown }) {
  const { t } = useI18n();
  const rows = error instanceof ApiError ? (error.body?.errors ?? []) : [];
  if (rows.length === 0) return null;
  return (
    <Table
      data-testid="row-errors"
      size="small"
      rowKey={(r) => `${r.row}-${r.field}-${r.message}`}
      dataSource={rows}
      pagination={{ pageSize: 10, hideOnSinglePage: true }}
      columns={[
        { title: t('row'), dataIndex: 'row', width: 70 },
        { title: t('field'), dataIndex: 'field', width: 140 },
        { title: t('message'), dataIndex: 'message' },
      ]}
      style={{ marginBottom: 12 }}
    />
  );
}
