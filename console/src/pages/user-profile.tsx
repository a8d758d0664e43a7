/**
 * A user's profile: segment, churn and anomaly figures, interests, spend, and when they watch as
 * a weekday-by-hour heat map counted from their own events (the profile keeps only the margins).
 */
import { type MarqueeClient, unwrap, useLoad } from '../api.tsx';
import { BarChart } from '../charts/bar-chart.tsx';
import { WEEKDAYS, WeekHourHeatMap } from '../charts/heat-map.tsx';
import { Loaded } from '../components/status.tsx';
import { dateTime, figure, money, percent } from '../format.ts';
import { Link } from '../router.tsx';

/** Pages of 100 events read for the heat map: the newest 500 events. */
const EVENT_PAGES = 5;

/** Events per weekday (Sunday first) and UTC hour. */
async function weekHourCounts(api: MarqueeClient, userId: string) {
  const counts = WEEKDAYS.map(() => new Array<number>(24).fill(0));
  let cursor: string | undefined;
  let read = 0;
  for (let page = 0; page < EVENT_PAGES; page++) {
    const answer = await unwrap(
      api.GET('/users/{userId}/events', {
        params: { path: { userId }, query: { limit: 100, ...(cursor ? { cursor } : {}) } },
      }),
    );
    for (const event of answer.events) {
      const at = new Date(event.timestamp);
      counts[at.getUTCDay()][at.getUTCHours()]++;
    }
    read += answer.events.length;
    cursor = answer.cursor;
    if (!cursor) break;
  }
  return { counts, read, more: cursor !== undefined };
}

export function UserProfilePage({ userId }: { userId: string }) {
  const profile = useLoad(
    (api) => unwrap(api.GET('/users/{userId}/profile', { params: { path: { userId } } })),
    [userId],
  );
  const rhythm = useLoad((api) => weekHourCounts(api, userId), [userId]);
  return (
    <section>
      <p>
        <Link href="/audience">Audience</Link> › {userId}
      </p>
      <h1>Profile of {userId}</h1>
      <p>
        <Link href={`/recommendations?user=${encodeURIComponent(userId)}`}>
          See {userId}'s recommendations
        </Link>
      </p>
      <Loaded result={profile} what={`${userId}'s profile`}>
        {(p) => (
          <>
            <dl class="facts" data-testid="profile-facts">
              <dt>Segment</dt>
              <dd>{p.segment ? `${p.segment.label} (${p.segment.confidence} confidence)` : '–'}</dd>
              <dt>Churn probability</dt>
              <dd data-churn>
                {p.churn ? `${percent(p.churn.probability)} within ${p.churn.horizonDays} days` : '–'}
              </dd>
              <dt>Anomaly score</dt>
              <dd>
                {p.anomaly ? `${figure(p.anomaly.score)}${p.anomaly.flagged ? ' (flagged)' : ''}` : '–'}
              </dd>
              <dt>Spend</dt>
              <dd data-spend>
                {p.spend.purchases} purchases, {money(p.spend.totalMinor)} in all ({p.spend.tier})
              </dd>
              <dt>Activity</dt>
              <dd>
                {p.activity.totalEvents} events on {p.activity.activeDays} days, last seen{' '}
                {dateTime(p.activity.lastSeen)}
              </dd>
              <dt>Preferred hours (UTC)</dt>
              <dd>{p.rhythm.preferredHours.map((h) => `${h}:00`).join(', ') || '–'}</dd>
              <dt>Preferred days</dt>
              <dd>{p.rhythm.preferredDays.join(', ') || '–'}</dd>
              <dt>Profile as of</dt>
              <dd>{dateTime(p.asOf)}</dd>
            </dl>
            {p.lowConfidenceReasons.length > 0 && (
              <p class="notice">Low confidence: {p.lowConfidenceReasons.join('; ')}</p>
            )}
            <div class="grid-charts">
              <BarChart
                id="interests-genres"
                title="Interest by genre"
                categoryName="genre"
                valueName="weight"
                categories={p.interests.genres.map((g) => g.name)}
                values={p.interests.genres.map((g) => g.weight)}
              />
              <BarChart
                id="interests-tags"
                title="Interest by tag"
                categoryName="tag"
                valueName="weight"
                categories={p.interests.tags.slice(0, 10).map((t) => t.name)}
                values={p.interests.tags.slice(0, 10).map((t) => t.weight)}
              />
            </div>
            {p.interests.themes.length > 0 && <p>Themes: {p.interests.themes.join(', ')}</p>}
          </>
        )}
      </Loaded>
      <h2>When {userId} watches</h2>
      <Loaded result={rhythm} what={`${userId}'s events`}>
        {({ counts, read, more }) => (
          <>
            <p class="muted">
              {read} {more ? 'newest ' : ''}events, by weekday and hour (UTC).
            </p>
            <WeekHourHeatMap
              id="week-hours"
              title={`${userId}: events by weekday and hour`}
              counts={counts}
            />
          </>
        )}
      </Loaded>
    </section>
  );
}
