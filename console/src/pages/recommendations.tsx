/**
 * Recommendations explorer: pick or search a user, their recent history, their recommendations
 * from two models side by side with reasons and scores, similar items for an item, and trending
 * per genre. The user, the two models and the item live in the URL.
 */
import { type MarqueeClient, type ModelName, unwrap, useLoad, useSession } from '../api.tsx';
import { type CatalogItem, itemsById } from '../catalog.ts';
import { LineChart } from '../charts/line-chart.tsx';
import { IdPicker } from '../components/id-picker.tsx';
import { ItemTile } from '../components/item-tile.tsx';
import { Loaded } from '../components/status.tsx';
import { dateTime, figure } from '../format.ts';
import { setQuery, useLocation } from '../router.tsx';
import { TableHead } from '../components/table-head.tsx';

export function RecommendationsPage() {
  const { query } = useLocation();
  const { modelNames } = useSession();
  const userId = query.get('user') ?? '';
  const pick = (key: string, fallback: number) =>
    (modelNames.find((m) => m === query.get(key)) ?? modelNames[fallback] ?? 'popularity') as ModelName;
  const left = pick('left', Math.max(0, modelNames.indexOf('ease' as ModelName)));
  const right = pick('right', Math.max(0, modelNames.indexOf('popularity' as ModelName)));
  return (
    <section>
      <h1>Recommendations explorer</h1>
      <UserPicker userId={userId} />
      {userId ? (
        <>
          <History userId={userId} />
          <h2>Recommendations for {userId}</h2>
          <div class="side-by-side">
            <ModelColumn userId={userId} model={left} side="left" />
            <ModelColumn userId={userId} model={right} side="right" />
          </div>
        </>
      ) : (
        <p class="notice">Pick a user to see their history and recommendations.</p>
      )}
      <SimilarItems />
      <Trending />
    </section>
  );
}

/** Users to pick from: the first few of each audience segment; any id can be typed. */
async function sampleUsers(api: MarqueeClient): Promise<string[]> {
  const { segments } = await unwrap(api.GET('/segments'));
  const pages = await Promise.all(
    segments.slice(0, 6).map((s) =>
      unwrap(
        api.GET('/segments/{segmentId}/users', {
          params: { path: { segmentId: s.segmentId }, query: { limit: 10 } },
        }),
      ),
    ),
  );
  return pages.flatMap((page) => page.users.map((u) => u.userId)).sort();
}

function UserPicker({ userId }: { userId: string }) {
  const users = useLoad(sampleUsers, []);
  return (
    <IdPicker
      label="User id"
      queryKey="user"
      value={userId}
      placeholder="u00042"
      submitLabel="Show"
      list="known-users"
    >
      <datalist id="known-users">
        {users.state === 'ok' && users.data.map((id) => <option key={id} value={id} />)}
      </datalist>
      {users.state === 'ok' && (
        <span class="muted">{users.data.length} users from the segments to pick from</span>
      )}
    </IdPicker>
  );
}

async function loadHistory(api: MarqueeClient, userId: string) {
  const { events } = await unwrap(
    api.GET('/users/{userId}/events', { params: { path: { userId }, query: { limit: 12 } } }),
  );
  const items = await itemsById(
    api,
    events.map((e) => e.itemId),
  );
  return { events, items };
}

function History({ userId }: { userId: string }) {
  const history = useLoad((api) => loadHistory(api, userId), [userId]);
  return (
    <>
      <h2>Recent history</h2>
      <Loaded result={history} what={`${userId}'s events`}>
        {({ events, items }) =>
          events.length === 0 ? (
            <p class="muted">No events recorded for {userId}.</p>
          ) : (
            <ol class="tiles" data-testid="history">
              {events.map((event) => (
                <li key={event.eventId}>
                  <ItemTile itemId={event.itemId} item={items.get(event.itemId)}>
                    {event.type}
                    {event.value !== undefined ? ` ${event.value}` : ''} · {dateTime(event.timestamp)}
                  </ItemTile>
                </li>
              ))}
            </ol>
          )
        }
      </Loaded>
    </>
  );
}

/** Recommended items as tiles with their score and reason. */
function RecommendedTiles(props: {
  testId: string;
  recommended: { itemId: string; score: number; reason: string }[];
  items: Map<string, CatalogItem>;
}) {
  return (
    <ol class="tiles" data-testid={props.testId}>
      {props.recommended.map((rec) => (
        <li key={rec.itemId}>
          <ItemTile itemId={rec.itemId} item={props.items.get(rec.itemId)}>
            {figure(rec.score)} · {rec.reason}
          </ItemTile>
        </li>
      ))}
    </ol>
  );
}

async function loadRecommendations(api: MarqueeClient, userId: string, model: ModelName) {
  const answer = await unwrap(
    api.GET('/users/{userId}/recommendations', { params: { path: { userId }, query: { k: 10, model } } }),
  );
  return {
    answer,
    items: await itemsById(
      api,
      answer.items.map((i) => i.itemId),
    ),
  };
}

function ModelColumn({ userId, model, side }: { userId: string; model: ModelName; side: 'left' | 'right' }) {
  const { modelNames } = useSession();
  const result = useLoad((api) => loadRecommendations(api, userId, model), [userId, model]);
  return (
    <div class="column" data-testid={`recommendations-${side}`}>
      <label>
        Model
        <select value={model} onChange={(e) => setQuery({ [side]: (e.target as HTMLSelectElement).value })}>
          {modelNames.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <Loaded result={result} what={`${model} recommendations`}>
        {({ answer, items }) => (
          <table>
            <caption>
              {answer.model} version {answer.version}
            </caption>
            <TableHead columns={['#', 'item', 'score', 'reason']} />
            <tbody>
              {answer.items.map((rec, i) => (
                <tr key={rec.itemId} data-item={rec.itemId}>
                  <td>{i + 1}</td>
                  <td>
                    {items.get(rec.itemId)?.title ?? rec.itemId} <span class="muted">{rec.itemId}</span>
                  </td>
                  <td data-score>{figure(rec.score)}</td>
                  <td>{rec.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </div>
  );
}

async function loadSimilar(api: MarqueeClient, itemId: string) {
  const answer = await unwrap(
    api.GET('/items/{itemId}/similar', { params: { path: { itemId }, query: { k: 8 } } }),
  );
  return { answer, items: await itemsById(api, [itemId, ...answer.items.map((i) => i.itemId)]) };
}

function SimilarItems() {
  const { query } = useLocation();
  const itemId = query.get('item') ?? '';
  const similar = useLoad(
    (api) => (itemId ? loadSimilar(api, itemId) : Promise.resolve(undefined)),
    [itemId],
  );
  return (
    <>
      <h2>Similar items</h2>
      <IdPicker
        label="Item id"
        queryKey="item"
        value={itemId}
        placeholder="i00001"
        submitLabel="Find similar"
      />
      {itemId && (
        <Loaded result={similar} what={`items similar to ${itemId}`}>
          {(data) =>
            data && (
              <>
                <p>
                  Like <strong>{data.items.get(itemId)?.title ?? itemId}</strong> ({data.answer.model} version{' '}
                  {data.answer.version}):
                </p>
                <RecommendedTiles testId="similar" recommended={data.answer.items} items={data.items} />
              </>
            )
          }
        </Loaded>
      )}
    </>
  );
}

/** Windows from the longest half-life to the shortest: left to right reads as "towards now". */
const WINDOWS = ['7d', '24h', '6h', '1h'] as const;

const topFiveScore = async (api: MarqueeClient, window: (typeof WINDOWS)[number], genre?: string) => {
  const query = { k: 5, window, ...(genre ? { genres: genre } : {}) };
  const answer = await unwrap(api.GET('/trending', { params: { query } }));
  return answer.items.reduce((sum, i) => sum + i.score, 0);
};

/**
 * The genres of today's top trending items, then each genre's top-5 score as a share of the
 * overall top-5's in each window: scores of different half-lives are not comparable, shares are.
 */
async function loadTrending(api: MarqueeClient) {
  const top = await unwrap(api.GET('/trending', { params: { query: { k: 20, window: '24h' } } }));
  const items = await itemsById(
    api,
    top.items.map((i) => i.itemId),
  );
  const counts = new Map<string, number>();
  for (const item of items.values())
    for (const genre of item.genres ?? []) counts.set(genre, (counts.get(genre) ?? 0) + 1);
  const genres = [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([genre]) => genre);
  const overall = await Promise.all(WINDOWS.map((window) => topFiveScore(api, window)));
  const perGenre = await Promise.all(
    genres.map(async (genre) => ({
      genre,
      values: await Promise.all(
        WINDOWS.map(async (window, i) =>
          overall[i] > 0 ? (await topFiveScore(api, window, genre)) / overall[i] : null,
        ),
      ),
    })),
  );
  return { top, items, perGenre };
}

function Trending() {
  const trending = useLoad(loadTrending, []);
  return (
    <>
      <h2>Trending</h2>
      <Loaded result={trending} what="trending items">
        {({ top, items, perGenre }) => (
          <>
            <p class="muted">
              The API answers the trend now for each window (a half-life of 7 days down to 1 hour), not a
              history. Each chart shows a genre's top-5 trending score as a share of the overall top 5's in
              that window: a line rising to the right is a genre gaining lately.
            </p>
            <div class="grid-charts">
              {perGenre.map(({ genre, values }) => (
                <LineChart
                  key={genre}
                  id={`trending-${genre}`}
                  title={`${genre}: share of the trend by window`}
                  categoryName="window"
                  categories={[...WINDOWS]}
                  series={[{ name: genre, values }]}
                />
              ))}
            </div>
            <h3>
              Top trending in the last 24 h ({top.model} version {top.version})
            </h3>
            <RecommendedTiles testId="trending" recommended={top.items.slice(0, 10)} items={items} />
          </>
        )}
      </Loaded>
    </>
  );
}
