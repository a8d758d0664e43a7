/**
 * Training inputs from the catalog tables: every item and every event by full scans, or only the
 * events of a recent window through the events table's time index (the frequent trending refresh).
 */
import type { EventStore, ItemStore } from '#domain/catalog/ports.ts';
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import type { TrainingDataPresence } from '#domain/models/retrain-run.ts';
import type { TrainingSources } from '#domain/recommendations/retrain.ts';
import type { DynamoRecentEvents } from './dynamo-catalog-reads.ts';

export class CatalogTrainingSources implements TrainingSources {
  constructor(
    private readonly events: EventStore,
    private readonly items: ItemStore,
    private readonly recent: Pick<DynamoRecentEvents, 'since'>,
  ) {}

  async loadEvents(since?: number): Promise<InteractionEvent[]> {
    if (since !== undefined) return this.recent.since(since);
    const out: InteractionEvent[] = [];
    for await (const page of this.events.scan()) out.push(...page);
    return out;
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
