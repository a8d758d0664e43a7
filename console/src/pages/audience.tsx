/**
 * Audience: segments with sizes and labels, each numeric trait across segments, the anomaly list
 * (admin) with what makes each user unusual, and a churn-risk histogram over segment samples.
 */
import { useState } from 'preact/hooks';
import { type MarqueeClient, unwrap, useLoad } from '../api.tsx';
import { BarChart } from '../charts/bar-chart.tsx';
import { Loaded } from '../components/status.tsx';
import { figure, percent } from '../format.ts';
import { Link } from '../router.tsx';
import { TableHead } from '../components/table-head.tsx';

type Segments = Awaited<ReturnType<typeof loadSegments>>;
type Segment = Segments['segments'][number];

const loadSegments = (api: MarqueeClient) => unwrap(api.GET('/segments'));

/** The numeric traits the segment model reports, with the words a reader uses for them. */
const TRAITS: Record<string, string> = {
  eventsPerActiveDay: 'events per active day',
  activeDaysPerWeek: 'active days per week',
  completionRate: 'completion rate',
  lateNightShare: 'late-night share',
  weekendShare: 'weekend share',
  spendLevel: 'spend level (0-3)',
};

const traitOf = (segment: Segment, trait: string): number => {
  const value = segment.traits[trait];
  return typeof value === 'number' ? value : 0;
};

export function AudiencePage() {
  const segments = useLoad(loadSegments, []);
  return (
    <section>
      <h1>Audience</h1>
      <Loaded result={segments} what="the audience segments">
        {(data) => (
          <>
            <SegmentTable data={data} />
            <h2>Features per segment</h2>
            <div class="grid-charts">
              {Object.entries(TRAITS).map(([trait, label]) => (
                <BarChart
                  key={trait}
                  id={`trait-${trait}`}
                  title={label}
                  categoryName="segment"
                  valueName={label}
                  categories={data.segments.map((s) => s.label)}
                  values={data.segments.map((s) => traitOf(s, trait))}
                />
              ))}
            </div>
            <ChurnHistogram segments={data.segments} />
            <Anomalies segments={data.segments} />
          </>
        )}
      </Loaded>
    </section>
  );
}

function SegmentTable({ data }: { data: Segments }) {
  if (data.segments.length === 0)
    return <p class="notice">No segments yet: the profile models have not been trained.</p>;
  return (
    <>
      <p class="muted">Segment model version {data.modelVersion ?? '–'}.</p>
      <BarChart
        id="segment-sizes"
        title="Users per segment"
        categoryName="segment"
        valueName="users"
        categories={data.segments.map((s) => s.label)}
        values={data.segments.map((s) => s.size)}
      />
      <table data-testid="segments">
        <TableHead columns={['segment', 'users', 'share', 'top genres', 'rhythm']} />
        <tbody>
          {data.segments.map((segment) => {
            const genres = (segment.traits.topGenres as { genre: string }[] | undefined) ?? [];
            return (
              <tr key={segment.segmentId} data-segment={segment.segmentId}>
                <th scope="row">{segment.label}</th>
                <td data-size>{segment.size}</td>
                <td>{percent(segment.share)}</td>
                <td>{genres.map((g) => g.genre).join(', ') || '–'}</td>
                <td>{String(segment.traits.rhythm ?? '–')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

const BINS = 10;

/** Churn probabilities of up to 100 users per segment, in tenths. */
async function loadChurn(api: MarqueeClient, segments: Segment[]) {
  const pages = await Promise.all(
    segments.map((s) =>
      unwrap(
        api.GET('/segments/{segmentId}/users', {
          params: { path: { segmentId: s.segmentId }, query: { limit: 100 } },
        }),
      ),
    ),
  );
  const probabilities = pages.flatMap((p) =>
    p.users.flatMap((u) => (u.churnProbability === undefined ? [] : [u.churnProbability])),
  );
  const counts = new Array(BINS).fill(0);
  for (const p of probabilities) counts[Math.min(BINS - 1, Math.floor(p * BINS))]++;
  return { counts, sampled: probabilities.length };
}

function ChurnHistogram({ segments }: { segments: Segment[] }) {
  const churn = useLoad((api) => loadChurn(api, segments), [segments]);
  return (
    <>
      <h2>Churn risk</h2>
      <Loaded result={churn} what="churn probabilities">
        {({ counts, sampled }) => (
          <>
            <p class="muted">{sampled} users: up to the first 100 of each segment.</p>
            <BarChart
              id="churn-histogram"
              title="Users by churn probability"
              categoryName="churn probability"
              valueName="users"
              categories={counts.map((_, i) => `${i * 10}-${i * 10 + 10}%`)}
              values={counts}
            />
          </>
        )}
      </Loaded>
    </>
  );
}

function Anomalies({ segments }: { segments: Segment[] }) {
  const anomalies = useLoad((api) => unwrap(api.GET('/anomalies', { params: { query: { limit: 20 } } })), []);
  return (
    <>
      <h2>Anomalies</h2>
      <Loaded result={anomalies} what="the anomaly list">
        {(data) => (
          <>
            <p class="muted">
              Anomaly model version {data.modelVersion ?? '–'}; users scoring above {figure(data.threshold)}{' '}
              are flagged. Open a row to see which features set the user apart.
            </p>
            <table data-testid="anomalies">
              <TableHead columns={['user', 'score', 'flagged', 'segment', 'what is unusual']} />
              <tbody>
                {data.users.map((user) => (
                  <tr key={user.userId} data-user={user.userId}>
                    <th scope="row">
                      <Link href={`/audience/users/${encodeURIComponent(user.userId)}`}>{user.userId}</Link>
                    </th>
                    <td data-score>{figure(user.anomalyScore)}</td>
                    <td>{user.flagged ? 'yes' : 'no'}</td>
                    <td>{user.segmentLabel ?? '–'}</td>
                    <td>
                      <UnusualFeatures userId={user.userId} segments={segments} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Loaded>
    </>
  );
}

/** The audience's size-weighted mean of each trait: what "usual" means. */
export function audienceMeans(segments: Segment[]): Record<string, number> {
  const total = segments.reduce((sum, s) => sum + s.size, 0) || 1;
  return Object.fromEntries(
    Object.keys(TRAITS).map((trait) => [
      trait,
      segments.reduce((sum, s) => sum + traitOf(s, trait) * s.size, 0) / total,
    ]),
  );
}

/**
 * The user's features furthest from the audience's mean, as ratios: the API gives the score, and
 * the profile and the segments give the figures that explain it.
 */
function UnusualFeatures({ userId, segments }: { userId: string; segments: Segment[] }) {
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <button type="button" class="link-button" onClick={() => setOpen(true)}>
        Explain
      </button>
    );
  }
  return <Explanation userId={userId} segments={segments} />;
}

function Explanation({ userId, segments }: { userId: string; segments: Segment[] }) {
  const profile = useLoad(
    (api) => unwrap(api.GET('/users/{userId}/profile', { params: { path: { userId } } })),
    [userId],
  );
  return (
    <Loaded result={profile} what={`${userId}'s profile`}>
      {(p) => {
        const means = audienceMeans(segments);
        const own: Record<string, number> = {
          eventsPerActiveDay: p.activity.eventsPerActiveDay,
          activeDaysPerWeek: p.activity.activeDaysPerWeek,
          completionRate: p.activity.completionRate,
          lateNightShare: p.rhythm.lateNightShare,
          weekendShare: p.rhythm.weekendShare,
        };
        const ranked = Object.entries(own)
          .map(([trait, value]) => ({
            trait,
            value,
            mean: means[trait],
            ratio: value / (means[trait] || 1e-9),
          }))
          .sort((a, b) => Math.abs(Math.log(b.ratio || 1e-9)) - Math.abs(Math.log(a.ratio || 1e-9)))
          .slice(0, 3);
        return (
          <ul class="explanation" data-testid="explanation">
            {ranked.map((r) => (
              <li key={r.trait}>
                {TRAITS[r.trait]}: {figure(r.value)} against {figure(r.mean)} on average ({figure(r.ratio)}×)
              </li>
            ))}
          </ul>
        );
      }}
    </Loaded>
  );
}
