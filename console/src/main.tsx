/** The console's entry: reads config.json, sets up the session, renders the page the URL names. */
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import {
  createApi,
  type MarqueeClient,
  type ModelName,
  type Session,
  SessionContext,
  sessionScopes,
} from './api.tsx';
import { CALLBACK_PATH, completeSignIn } from './auth/session.ts';
import { type ConsoleConfig, loadConfig } from './config.ts';
import { ApiErrorMessage, Loading } from './components/status.tsx';
import { Layout } from './components/layout.tsx';
import { AudiencePage } from './pages/audience.tsx';
import { ExperimentsPage } from './pages/experiments.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { RecommendationsPage } from './pages/recommendations.tsx';
import { UserProfilePage } from './pages/user-profile.tsx';
import { VideoPage } from './pages/video.tsx';
import { VideosPage } from './pages/videos.tsx';
import { navigate, RouterProvider, useLocation } from './router.tsx';

function Page() {
  const { path } = useLocation();
  useEffect(() => {
    if (path === '/') navigate('/overview', { replace: true });
  }, [path]);
  const user = /^\/audience\/users\/([^/]+)$/.exec(path);
  const video = /^\/videos\/([^/]+)$/.exec(path);
  if (path === '/overview' || path === '/') return <OverviewPage />;
  if (path === '/recommendations') return <RecommendationsPage />;
  if (path === '/experiments') return <ExperimentsPage />;
  if (path === '/audience') return <AudiencePage />;
  if (user) return <UserProfilePage userId={decodeURIComponent(user[1])} />;
  if (path === '/videos') return <VideosPage />;
  if (video) return <VideoPage assetId={decodeURIComponent(video[1])} />;
  return (
    <section>
      <h1>Not a console page</h1>
      <p>
        Nothing lives at <code>{location.pathname}</code>. Pick a page above.
      </p>
    </section>
  );
}

interface ApiDescription {
  paths: Set<string>;
  modelNames: ModelName[];
}

interface OpenApiDocument {
  paths?: Record<string, { get?: { parameters?: { name: string; schema?: { enum?: string[] } }[] } }>;
}

/** Fetches /openapi.json once: pages show what this API offers (playback, experiments, models). */
async function describeApi(api: MarqueeClient): Promise<ApiDescription | null> {
  const { data } = await api.GET('/openapi.json');
  const document = data as OpenApiDocument | undefined;
  if (!document?.paths) return null;
  const parameters = document.paths['/users/{userId}/recommendations']?.get?.parameters ?? [];
  const modelNames = (parameters.find((p) => p.name === 'model')?.schema?.enum ?? []) as ModelName[];
  return { paths: new Set(Object.keys(document.paths)), modelNames };
}

function Console({ config }: { config: ConsoleConfig }) {
  const [generation, setGeneration] = useState(0);
  const [description, setDescription] = useState<ApiDescription | null | undefined>();
  const api = useMemo(() => createApi(config), [config]);
  const scopes = useMemo(() => sessionScopes(config), [config, generation]);
  useEffect(() => {
    describeApi(api).then(setDescription, () => setDescription(null));
  }, [api, generation]);
  const session: Session = {
    config,
    api,
    scopes,
    apiPaths: description?.paths ?? null,
    modelNames: description?.modelNames ?? [],
    refresh: () => setGeneration((g) => g + 1),
  };
  return (
    <SessionContext.Provider value={session}>
      <RouterProvider>
        <Layout>
          {description === undefined ? <Loading what="the API's description" /> : <Page key={generation} />}
        </Layout>
      </RouterProvider>
    </SessionContext.Provider>
  );
}

async function start(root: HTMLElement) {
  try {
    const config = await loadConfig();
    if (location.pathname === CALLBACK_PATH && config.auth.mode === 'oauth') {
      history.replaceState(null, '', await completeSignIn(config.auth, new URL(location.href)));
    }
    // The boot message is plain HTML, not Preact's: remove it before the first render.
    root.replaceChildren();
    render(<Console config={config} />, root);
  } catch (error) {
    root.replaceChildren();
    render(<ApiErrorMessage error={error as Error} what="the console" />, root);
  }
}

void start(document.getElementById('app')!);
