import { Button, Card, Checkbox, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { ApiError, type Me, request, setToken } from '../api';
import { ErrorAlert } from '../components/common';
import { useI18n } from '../i18n';

/** Token login: the token is checked with GET /me before it is kept (session, or this device if asked). */
export function LoginPage({ onLogin }: { onLogin: (me: Me) => void }) {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (v: { token: string; remember?: boolean }) => {
    const token = v.token.trim();
    setBusy(true);
    setError(undefined);
    try {
      const me = await request<Me>('GET', '/me', undefined, { tokenOverride: token });
      setToken(token, !!v.remember);
      onLogin(me);
    } catch (e) {
      setError(e instanceof ApiError || e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card style={{ maxWidth: 460, margin: '48px auto' }} title={t('login')}>
      <Typography.Paragraph type="secondary">{t('tokenHelp')}</Typography.Paragraph>
      <ErrorAlert error={error} />
      <Form layout="vertical" onFinish={submit}>
        <Form.Item name="token" label={t('token')} rules={[{ required: true, whitespace: true, message: t('tokenRequired') }]}>
          <Input.Password autoComplete="off" data-testid="token" placeholder="shouhu_…" />
        </Form.Item>
        <Form.Item name="remember" valuePropName="checked">
          <Checkbox>{t('remember')}</Checkbox>
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} block data-testid="login">
          {t('login')}
        </Button>
      </Form>
    </Card>
  );
}
