import { App as AntApp, Button, ConfigProvider, Drawer, Grid, Layout, Menu, Result, Space, Spin, Typography } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { api, currentToken, type Me, setToken, whenUnauthorized } from './api';
import { DICTIONARIES, I18nContext, type Key, type Lang, storedLang, storeLang } from './i18n';
import { roleLabel } from './labels';
import { CasePage } from './pages/CasePage';
import { CasesPage } from './pages/CasesPage';
import { InboxPage } from './pages/InboxPage';
import { LoginPage } from './pages/LoginPage';
import { ReportsPage } from './pages/ReportsPage';
import { RegistryPage } from './pages/RegistryPage';
import { SchoolPage } from './pages/SchoolPage';
import { RouteContext, useRouter } from './router';

// The dashboard (and ECharts with it) loads only when someone opens it.
const DashboardPage = lazy(() => import('./pages/DashboardPage').then((m) => ({ default: m.DashboardPage })));

/** Which pages a role works in; the API still decides what each may read and do. */
function menuFor(role: string): Key[] {
  const pages: Key[] = ['inbox', 'cases'];
  if (role === 'school') pages.push('school', 'fileReport');
  if (role === 'police' || role === 'psb') pages.push('reports');
  if (['village', 'child_director', 'hospital', 'kindergarten', 'social_worker', 'welfare_institution', 'civil_affairs'].includes(role)) pages.push('fileReport');
  if (['township', 'village', 'child_director', 'civil_affairs', 'police', 'office'].includes(role)) pages.push('registry');
  if (['office', 'civil_affairs', 'psb', 'education'].includes(role)) pages.push('dashboard');
  return pages;
}

const ROUTE_OF: Partial<Record<Key, string>> = { inbox: 'inbox', cases: 'cases', school: 'school', reports: 'reports', registry: 'registry', dashboard: 'dashboard', fileReport: 'file-report' };

export function App() {
  const [lang, setLangState] = useState<Lang>(storedLang());
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(!!currentToken());
  const router = useRouter();
  const screens = Grid.useBreakpoint();
  const [menuOpen, setMenuOpen] = useState(false);

  const i18n = useMemo(
    () => ({
      lang,
      t: (k: Key) => DICTIONARIES[lang][k],
      setLang: (l: Lang) => {
        storeLang(l);
        setLangState(l);
      },
    }),
    [lang],
  );
  useEffect(() => {
    dayjs.locale(lang === 'zh' ? 'zh-cn' : 'en');
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = DICTIONARIES[lang].appName;
  }, [lang]);

  useEffect(() => {
    whenUnauthorized(() => {
      setToken(null);
      setMe(null);
    });
    if (!currentToken()) return;
    api
      .get<Me>('/me')
      .then(setMe)
      .catch(() => setToken(null))
      .finally(() => setChecking(false));
  }, []);

  const logout = () => {
    setToken(null);
    setMe(null);
    router.go('');
  };

  const pages = me ? menuFor(me.role) : [];
  const path = router.path;
  const section = path.split('/')[0] || 'inbox';
  const selected = (Object.entries(ROUTE_OF).find(([, r]) => r === section)?.[0] ?? 'inbox') as Key;
  const narrow = !screens.md;

  let body: React.ReactNode;
  if (checking) body = <Spin style={{ display: 'block', margin: 80 }} />;
  else if (!me) body = <LoginPage onLogin={setMe} />;
  else if (section === 'inbox') body = <InboxPage me={me} />;
  else if (section === 'cases' && path.split('/')[1]) body = <CasePage id={path.split('/')[1]!} me={me} />;
  else if (section === 'cases') body = <CasesPage me={me} />;
  else if (section === 'school') body = <SchoolPage me={me} />;
  else if (section === 'reports') body = <ReportsPage me={me} mode="station" />;
  else if (section === 'file-report') body = <ReportsPage me={me} mode="file" />;
  else if (section === 'registry') body = <RegistryPage me={me} />;
  else if (section === 'dashboard') body = <DashboardPage me={me} />;
  else body = <Result status="404" title={i18n.t('notFound')} />;

  const items = pages.map((k) => ({ key: k, label: i18n.t(k), 'data-testid': `nav-${ROUTE_OF[k]}` }));
  const menu = (
    <Menu
      mode={narrow ? 'inline' : 'horizontal'}
      selectedKeys={[selected]}
      items={items}
      onClick={(e) => {
        setMenuOpen(false);
        router.go(ROUTE_OF[e.key as Key] ?? '');
      }}
      style={{ flex: 1, minWidth: 0, borderBottom: 'none' }}
    />
  );

  return (
    <I18nContext.Provider value={i18n}>
      <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={{ token: { colorPrimary: '#c0392b' } }}>
        <AntApp>
          <RouteContext.Provider value={router}>
            <Layout style={{ minHeight: '100vh' }}>
              <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 12, background: '#fff', padding: narrow ? '0 12px' : '0 24px', borderBottom: '1px solid #eee' }}>
                <Typography.Text strong style={{ whiteSpace: 'nowrap', color: '#c0392b' }}>
                  {narrow ? i18n.t('appShort') : i18n.t('appName')}
                </Typography.Text>
                {me && !narrow && menu}
                <div style={{ flex: narrow || !me ? 1 : 0 }} />
                <Space size={4}>
                  {me && !narrow && (
                    <Typography.Text type="secondary" data-testid="whoami" style={{ whiteSpace: 'nowrap' }}>
                      {me.user.name ?? me.user.id} · {me.unit.name} · {roleLabel(me.role, lang)}
                    </Typography.Text>
                  )}
                  <Button size="small" data-testid="lang" onClick={() => i18n.setLang(lang === 'zh' ? 'en' : 'zh')}>
                    {i18n.t('language')}
                  </Button>
                  {me && narrow && (
                    <Button size="small" data-testid="menu" onClick={() => setMenuOpen(true)}>
                      ☰
                    </Button>
                  )}
                  {me && !narrow && (
                    <Button size="small" onClick={logout} data-testid="logout">
                      {i18n.t('logout')}
                    </Button>
                  )}
                </Space>
              </Layout.Header>
              {me && narrow && (
                <Drawer open={menuOpen} onClose={() => setMenuOpen(false)} placement="right" size={260} title={`${me.user.name ?? me.user.id} · ${me.unit.name}`}>
                  {menu}
                  <Button block style={{ marginTop: 16 }} onClick={logout}>
                    {i18n.t('logout')}
                  </Button>
                </Drawer>
              )}
              <Layout.Content style={{ padding: narrow ? 8 : 24, maxWidth: 1400, width: '100%', margin: '0 auto' }}>
                <Suspense fallback={<Spin style={{ display: 'block', margin: 80 }} />}>{body}</Suspense>
              </Layout.Content>
            </Layout>
          </RouteContext.Provider>
        </AntApp>
      </ConfigProvider>
    </I18nContext.Provider>
  );
}
