/** A small seeded rating log for shilling tests: users rate Zipf-popular items 1-5 in bursts over two years. */
import type { InteractionEvent } from '#domain/catalog/types.ts';
import { createRandom } from '#domain/random/seeded.ts';

const DAY = 86_400_000;

/** `users` users rating 15-64 of `items` items each (item 0 most popular), in time order. */
export function ratingLog(users: number, items: number, seed: number): InteractionEvent[] {
  const random = createRandom(seed);
  const itemBias = Array.from({ length: items }, () => 0.6 * random.normal());
  const popularity = Array.from({ length: items }, (_, i) => 1 / (i + 1));
  const total = popularity.reduce((a, b) => a + b, 0);
  const events: InteractionEvent[] = [];
  const start = Date.UTC(2024, 0, 1);
  for (let u = 0; u < users; u++) {
    const taste = 0.5 * random.normal();
    const count = 15 + random.int(50);
    const rated = new Set<number>();
    let t = start + random.int(600) * DAY;
    while (rated.size < count) {
      let draw = random.next() * total;
      let i = 0;
      while (draw > popularity[i] && i < items - 1) draw -= popularity[i++];
      if (rated.has(i)) continue;
      rated.add(i);
      const rating = Math.min(5, Math.max(1, Math.round(3.4 + itemBias[i] + taste + 0.8 * random.normal())));
      // Mostly minutes apart within a sitting, sometimes days later.
      t += random.next() < 0.8 ? 30_000 + random.int(600_000) : random.int(20) * DAY;
      events.push({
        eventId: `u${u}-i${i}`,
        userId: `u${u}`,
        itemId: `i${i}`,
        type: 'rate',
        value: rating,
        timestamp: t,
      });
    }
  }
  return events.sort((a, b) => a.timestamp - b.timestamp);
}
