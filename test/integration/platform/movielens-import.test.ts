import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importMovieLens } from '#local/movielens-import.ts';
import { requiredSharedDataDir } from '../../support/fixtures.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';

let platform: TestPlatform;
const work = mkdtempSync(path.join(tmpdir(), 'marquee-import-'));

beforeAll(async () => {
  platform = await startTestPlatform();
});

afterAll(async () => {
  await platform?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('npm run import -- --movielens', () => {
  it('imports the ml-100k layout, latin-1 titles and users included', async () => {
    const dir = path.join(work, 'ml-100k');
    const flags = (genres: number[]) =>
      Array.from({ length: 19 }, (_, i) => (genres.includes(i) ? '1' : '0')).join('|');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, 'u.data'),
      '1\t10\t4\t881250949\n1\t20\t2\t881250950\n2\t10\t5\t881250960\n',
    );
    writeFileSync(
      path.join(dir, 'u.item'),
      Buffer.from(
        `10|Cité des enfants perdus, La (1995)|01-Jan-1995||http://x|${flags([8, 15])}\n20|Toy Story (1995)|01-Jan-1995||http://y|${flags([3, 4, 5])}\n`,
        'latin1',
      ),
    );
    writeFileSync(path.join(dir, 'u.user'), '1|24|M|technician|85711\n2|53|F|other|94043\n');

    const result = await importMovieLens({ dir, url: platform.url, prefix: 'k-' });

    expect(result).toMatchObject({ layout: 'ml-100k', items: 2, users: 2, events: 3 });
    const item = await platform.api('GET', '/items/k-10');
    expect(item.body).toMatchObject({
      title: 'Cité des enfants perdus, La (1995)',
      genres: ['Drama', 'Sci-Fi'],
      releaseDate: '1995-01-01',
    });
    expect((await platform.api('GET', '/users/k-2')).body).toMatchObject({ age: 53, gender: 'F' });
    const events = await platform.api('GET', '/users/k-1/events');
    expect(events.body.events.map((e: { itemId: string }) => e.itemId)).toEqual(['k-20', 'k-10']);
  });

  it('imports ml-latest-small rows, and importing twice stores each rating once', async () => {
    const shared = requiredSharedDataDir('this test needs MovieLens ml-latest-small');
    const source = path.join(shared, 'movielens', 'ml-latest-small');
    const dir = path.join(work, 'ml-latest');
    mkdirSync(dir, { recursive: true });
    // The first 400 ratings, and only the movies and tags they touch: enough to check the layout.
    const ratings = readFileSync(path.join(source, 'ratings.csv'), 'utf8').split('\r\n').slice(0, 401);
    const movieIds = new Set(ratings.slice(1).map((line) => line.split(',')[1]));
    const keep = (file: string, column: number) => {
      const [header, ...rows] = readFileSync(path.join(source, file), 'utf8').split('\r\n');
      writeFileSync(
        path.join(dir, file),
        [header, ...rows.filter((r) => movieIds.has(r.split(',')[column]))].join('\r\n'),
      );
    };
    writeFileSync(path.join(dir, 'ratings.csv'), `${ratings.join('\r\n')}\r\n`);
    keep('movies.csv', 0);
    keep('tags.csv', 1);

    const first = await importMovieLens({ dir, url: platform.url });
    await importMovieLens({ dir, url: platform.url });

    expect(first.events).toBe(400);
    expect((await platform.api('GET', '/items/ml-1')).body).toMatchObject({
      title: 'Toy Story (1995)',
      playable: true,
    });
    const userOneRatings = ratings.slice(1).filter((r) => r.startsWith('1,')).length;
    const listed = await platform.api('GET', '/users/ml-1/events?limit=100');
    const all = [...listed.body.events];
    let cursor = listed.body.cursor;
    while (cursor) {
      const page = await platform.api('GET', `/users/ml-1/events?limit=100&cursor=${cursor}`);
      all.push(...page.body.events);
      cursor = page.body.cursor;
    }
    expect(all).toHaveLength(userOneRatings);
    expect(all.every((e) => e.type === 'rate' && e.value >= 0.5 && e.value <= 5)).toBe(true);
  });
});
