/** Training inputs from the catalog tables: every event and every item, by full scans. */
import type { EventStore, ItemStore } from '#domain/catalog/ports.ts';
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
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

  async loadItems(): Promise<Item[]> {
    const out: Item[] = [];
    for await (const page of this.items.scan()) out.push(...page);
    return out;
  }
}
