/** Training inputs from the catalog tables: every event and every item, by full scans. */
import type { EventStore, ItemStore } from '#domain/catalog/ports.ts';
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import type { TrainingDataPresence } from '#domain/models/retrain-run.ts';
import type { TrainingSources } from '#domain/recommendations/retrain.ts';

export class CatalogTrainingSources implements TrainingSources {
  constructor(
    private readonly events: EventStore,
    private readonly items: ItemStore,
  ) {}

  async loadEvents(): Promise<InteractionEvent[]> {
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
