/**
 * Delay from an event to the experiment results: an impression is posted with a list's id, and
 * the results endpoint is polled every 20 ms until it counts it. The POST's own round trip,
 * measured in the same run, is the baseline.
 */
import { startPlatform } from '#local/platform.ts';
import type { BenchSection } from './report.ts';
import { median, percentile } from './stats.ts';

const SAMPLES = 30;

export async function benchExperiments(): Promise<BenchSection[]> {
  const platform = await startPlatform({ mediaConvert: false, env: { EXPERIMENTS_REFRESH_MS: '0' } });
  // biome-ignore lint/suspicious/noExplicitAny: the bench reads a few fields of JSON answers
  const call = async (method: string, path: string, body?: unknown): Promise<any> => {
    const response = await fetch(`${platform.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path} -> ${response.status}: ${await response.text()}`);
    return response.json();
  };
  try {
    const items = Array.from({ length: 20 }, (_, i) => ({
      itemId: `b${i}`,
      title: `Bench ${i}`,
      genres: [],
    }));
    await call('POST', '/items/batch', { items });
    const experiment = await call('POST', '/experiments', {
      name: 'delay bench',
      surface: 'recommendations',
      variants: [
        { name: 'control', model: 'popularity', weight: 1 },
        { name: 'treatment', model: 'ease', weight: 1 },
      ],
    });
    const counted = async () =>
      (await call('GET', `/experiments/${experiment.experimentId}/results`)).variants.reduce(
        (sum: number, v: { impressions: number }) => sum + v.impressions,
        0,
      );
    const delays: number[] = [];
    const posts: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const list = await call('GET', `/users/bench-${i}/recommendations?k=1`);
      const before = await counted();
      const started = performance.now();
      await call('POST', '/events', {
        events: [
          {
            userId: `bench-${i}`,
            itemId: list.items[0].itemId,
            type: 'impression',
            recommendationId: list.recommendationId,
            position: 1,
          },
        ],
      });
      posts.push(performance.now() - started);
      while ((await counted()) === before) await new Promise((resolve) => setTimeout(resolve, 20));
      delays.push(performance.now() - started);
    }
    return [
      {
        title: 'Experiments: delay from event to results (local, DynamoDB Local streams polled)',
        rows: [
          {
            measure: 'POST /events round trip (baseline)',
            'median ms': Math.round(median(posts)),
            'p95 ms': Math.round(percentile(posts, 95)),
          },
          {
            measure: 'POST /events until GET results counts it',
            'median ms': Math.round(median(delays)),
            'p95 ms': Math.round(percentile(delays, 95)),
          },
        ],
        notes: [
          `${SAMPLES} impressions, one at a time; results polled every 20 ms; the poller idles ${200} ms between empty reads.`,
        ],
      },
    ];
  } finally {
    await platform.stop();
  }
}
