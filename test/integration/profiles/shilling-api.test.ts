import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMovieLens } from '#adapters/datasets/movielens-files.ts';
import { runProfileRetrain } from '#adapters/profiles/retrain-job.ts';
import { ratingsAsEvents } from '#domain/datasets/movielens.ts';
import type { ProfileRetrainResult } from '#domain/profiles/retrain.ts';
import { type InjectedAttack, injectAttack } from '#domain/profiles/shilling/attacks.ts';
import { writeDataset } from '#local/seed.ts';
import { requiredSharedDataDir } from '../../support/fixtures.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';

describe('shilling detection through the API, on MovieLens ratings with a planted bandwagon attack', () => {
  let platform: TestPlatform;
  let attack: InjectedAttack;
  let retrain: ProfileRetrainResult;

  beforeAll(async () => {
    // Prepare: 200 MovieLens users (150 ratings or fewer each) and 16 fake users (8%) pushing one item.
    const shared = requiredSharedDataDir('this test needs MovieLens ml-latest-small');
    const ml = await readMovieLens(path.join(shared, 'movielens', 'ml-latest-small'));
    const counts = new Map<string, number>();
    for (const r of ml.ratings) counts.set(r.userId, (counts.get(r.userId) ?? 0) + 1);
    const users = new Set(
      [...counts]
        .filter(([, n]) => n <= 150)
        .slice(0, 200)
        .map(([userId]) => userId),
    );
    const events = ratingsAsEvents(ml.ratings.filter((r) => users.has(r.userId)));
    attack = injectAttack(events, ml.items, {
      type: 'bandwagon',
      attackSize: 0.08,
      fillerSize: 0.03,
      seed: 3,
    });
    const rated = new Set(attack.events.map((e) => e.itemId));
    platform = await startTestPlatform({ env: { PROFILE_MODEL_REFRESH_MS: '0' } });
    await writeDataset(platform.names, {
      items: ml.items.filter((item) => rated.has(item.itemId)),
      users: [],
      events: attack.events,
    });
    const end = attack.events[attack.events.length - 1].timestamp + 1;
    retrain = await runProfileRetrain({ now: end });
  }, 300_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('publishes the shilling model behind the gate with the figures of its planted-attack drill', () => {
    expect(retrain.published.shilling).toMatchObject({ version: '000001', status: 'live' });
    // A 3% drill on ~200 users plants 6 fake users: a figure the next run is gated on, well above chance.
    expect(retrain.metrics.shilling.drillAuc).toBeGreaterThan(0.7);
    expect(retrain.metrics.shilling.pushedItems).toBeGreaterThanOrEqual(1);
  });

  it('shows the pushed item in /anomalies with the reason, and the accounts that pushed it', async () => {
    const response = await platform.api('GET', '/anomalies?itemLimit=5&limit=50');
    expect(response.status).toBe(200);
    const { shilling } = response.body;
    expect(shilling.modelVersion).toBe('000001');
    const named = shilling.pushedItems.flatMap((p: { itemId: string; collateralItemIds: string[] }) => [
      p.itemId,
      ...p.collateralItemIds,
    ]);
    expect(named).toContain(attack.targetItemId);
    expect(shilling.pushedItems[0].reason).toMatch(/top ratings come from suspicious accounts/);
    const flagged = shilling.flaggedUsers.map((u: { userId: string }) => u.userId);
    const fake = flagged.filter((u: string) => attack.attackerIds.includes(u));
    expect(fake.length).toBeGreaterThanOrEqual(attack.attackerIds.length * 0.75);
    expect(fake.length / flagged.length).toBeGreaterThanOrEqual(0.8);
  });

  it('says in the profile why an account was flagged, and leaves a real user unflagged', async () => {
    const flagged = (await platform.api('GET', '/anomalies?limit=50')).body.shilling.flaggedUsers[0];
    const profile = await platform.api('GET', `/users/${flagged.userId}/profile`);
    expect(profile.status).toBe(200);
    expect(profile.body.shilling).toMatchObject({ flagged: true, modelVersion: '000001' });
    expect(profile.body.shilling.reason).toContain('top rating');
    const real = attack.events.find((e) => !attack.attackerIds.includes(e.userId))!.userId;
    const realProfile = await platform.api('GET', `/users/${real}/profile`);
    expect(realProfile.body.shilling).toMatchObject({ flagged: false });
  });

  it('rejects an itemLimit out of range with a problem naming the field', async () => {
    const response = await platform.api('GET', '/anomalies?itemLimit=0');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(response.body.errors)).toContain('query.itemLimit');
  });
});
