/** A small history router: the URL is the state people share (user ids, asset ids, models). */
import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';

export const BASE = '/console';

export interface Location {
  /** Path under /console, e.g. `/audience/users/u00042`. */
  path: string;
  query: URLSearchParams;
}

const read = (): Location => ({
  path: location.pathname.slice(BASE.length).replace(/\/+$/, '') || '/',
  query: new URLSearchParams(location.search),
});

const RouterContext = createContext<Location>(read());

/** Moves to a console path (`/videos/abc`, with a query if given) without reloading. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = to.startsWith(BASE) ? to : BASE + to;
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** Rewrites the query in place (filters, chosen models) so the address stays shareable. */
export function setQuery(changes: Record<string, string | undefined>): void {
  const query = new URLSearchParams(location.search);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === '') query.delete(key);
    else query.set(key, value);
  }
  const search = query.toString();
  navigate(location.pathname + (search ? `?${search}` : ''), { replace: true });
}

export function RouterProvider({ children }: { children: ComponentChildren }) {
  const [current, setCurrent] = useState(read);
  useEffect(() => {
    const update = () => setCurrent(read());
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return <RouterContext.Provider value={current}>{children}</RouterContext.Provider>;
}

export const useLocation = (): Location => useContext(RouterContext);

/** An anchor that navigates in the app; keyboard and middle-click work as for any link. */
export function Link(props: {
  href: string;
  class?: string;
  children: ComponentChildren;
  current?: boolean;
}) {
  const href = props.href.startsWith(BASE) ? props.href : BASE + props.href;
  return (
    <a
      href={href}
      class={props.class}
      aria-current={props.current ? 'page' : undefined}
      onClick={(event) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(href);
      }}
    >
      {props.children}
    </a>
  );
}
