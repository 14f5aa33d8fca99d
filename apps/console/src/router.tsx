import { createContext, useContext, useEffect, useState } from 'react';

/** A tiny router over /console/<path>: the API answers index.html for every such path, so reloads work. */

export const BASE = '/console/';

const pathNow = () => (location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '').replace(/\/+$/, '');

export const RouteContext = createContext<{ path: string; go: (path: string) => void }>({ path: '', go: () => undefined });
export const useRoute = () => useContext(RouteContext);

export function useRouter(): { path: string; go: (path: string) => void } {
  const [path, setPath] = useState(pathNow());
  useEffect(() => {
    const onPop = () => setPath(pathNow());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const go = (next: string) => {
    history.pushState(null, '', BASE + next);
    setPath(next);
    scrollTo(0, 0);
  };
  return { path, go };
}

export function Link({ to, children, testId }: { to: string; children: React.ReactNode; testId?: string }) {
  const { go } = useRoute();
  return (
    <a
      href={BASE + to}
      data-testid={testId}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey) return;
        e.preventDefault();
        go(to);
      }}
    >
      {children}
    </a>
  );
}
