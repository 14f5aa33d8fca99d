import { Table, Typography } from 'antd';
import type { CaseView } from '../api';
import { useI18n } from '../i18n';
import { typeLabel } from '../labels';
import { Link } from '../router';
import { local, since } from '../time';
import { StateTag, TimeLeft } from './common';

/** Cases as a table; `sinceFiling` adds how long ago each was opened (a report's age for the police). */
export function CaseTable({ items, loading, now, sinceFiling, testId }: { items: CaseView[]; loading: boolean; now: number; sinceFiling?: boolean; testId?: string }) {
  const { t, lang } = useI18n();
  return (
    <Table<CaseView>
      data-testid={testId}
      rowKey="id"
      size="small"
      loading={loading}
      dataSource={items}
      scroll={{ x: 'max-content' }}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      locale={{ emptyText: t('nothing') }}
      columns={[
        {
          title: t('case'),
          render: (_: unknown, c) => (
            <div>
              <Link to={`cases/${c.id}`} testId="case-link">
                {c.subject.name ?? c.subject.childId ?? c.subject.township ?? c.id.slice(0, 8)}
              </Link>
              <div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {typeLabel(c.type, lang)}
                  {c.subject.childId ? ` · ${c.subject.childId}` : ''}
                </Typography.Text>
              </div>
            </div>
          ),
        },
        { title: t('state'), render: (_: unknown, c) => <StateTag state={c.state} status={c.status} /> },
        ...(sinceFiling
          ? [{ title: t('sinceFiling'), render: (_: unknown, c: CaseView) => <span data-testid="since-filing">{since(c.createdAt, now, lang)}</span> }]
          : []),
        { title: t('timeLeft'), render: (_: unknown, c) => (c.deadlines[0] ? <TimeLeft dueAt={c.deadlines[0].dueAt} now={now} /> : '—') },
        { title: t('updated'), responsive: ['md'], render: (_: unknown, c) => local(c.updatedAt) },
      ]}
    />
  );
}
