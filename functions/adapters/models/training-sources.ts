/**
 * Training inputs from the catalog tables: every item and every event by full (parallel) scans, or only the
 * events of a recent window through the events table's time index (the frequent trending refresh).
 */
import type { EventStore, ItemStore } from '#domain/catalog/ports.ts';
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import type { TrainingDataPresence } from '#domain/models/retrain-run.ts';
import type { TrainingSources } from '#domain/recommendations/retrain.ts';
import type { DynamoRecentEvents } from './dynamo-catalog-reads.ts';

/**
 * Segments of a full events scan read side by side. Eight keeps a 4 GB function's memory and a
 * table's read capacity comfortable while dividing the read's wall time (an empty segment costs
 * one round trip, so small tables lose nothing).
 */
const SCAN_SEGMENTS = 8;

export class CatalogTrainingSources implements TrainingSources {
  constructor(
    private readonly events: EventStore,
    private readonly items: ItemStore,
    private readonly recent: Pick<DynamoRecentEvents, 'since'>,
  ) {}

  /**
   * A full read is a parallel scan of SCAN_SEGMENTS segments: the read is bound by round trips,
   * not by the function's CPU, so segments side by side cut its time. Segments are joined in
   * their order, so the same table always yields the same sequence.
   */
  async loadEvents(since?: number): Promise<InteractionEvent[]> {
    if (since !== undefined) return this.recent.since(since);
    const segments = await Promise.all(
      Array.from({ length: SCAN_SEGMENTS }, async (_, segment) => {
        const out: InteractionEvent[] = [];
        for await (const page of this.events.scan({ segment, of: SCAN_SEGMENTS })) out.push(...page);
        return out;
      }),
    );
    return segments.flat();
  }

  /** Whether the tables hold any event and any item: one page of each, not a full scan. */
  async presence(): Promise<TrainingDataPresence> {
    const [events, items] = await Promise.all([hasAny(this.events.scan()), hasAny(this.items.scan())]);
    return { events, items };
  }

  async loadItems(): Promise<Item[]> {
    const out: Item[] = [];
    for await (const page of this.items.scan()) out.push(...page);
    return out;
  }
}

async function hasAny(pages: AsyncIterable<unknown[]>): Promise<boolean> {
  for await (const page of pages) if (page.length > 0) return true;
  return false;
}
