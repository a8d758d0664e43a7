/** In-memory experiment ports for unit tests: the same contracts as the DynamoDB adapters. */
import {
  type Attribution,
  type AttributionRecords,
  type CountedChange,
  type CounterStore,
  type Exposure,
  TallyChangedError,
  type UserTally,
} from '#domain/experiments/counting.ts';
import { emptyCounters, type VariantCounters } from '#domain/experiments/results.ts';

export class MemoryAttributionRecords implements AttributionRecords {
  readonly exposures = new Map<string, Exposure>();
  readonly attributions = new Map<string, Attribution & { userId: string }>();
  readonly tallies = new Map<string, UserTally>();

  async latestExposure(userId: string, itemId: string) {
    return this.exposures.get(`${userId}/${itemId}`);
  }

  async recordExposure(userId: string, exposure: Exposure) {
    const key = `${userId}/${exposure.itemId}`;
    const current = this.exposures.get(key);
    if (!current || current.shownAt <= exposure.shownAt) this.exposures.set(key, exposure);
  }

  async recordAttribution(userId: string, attribution: Attribution) {
    this.attributions.set(attribution.eventId, { ...attribution, userId });
  }

  async tally(userId: string, experimentId: string) {
    const tally = this.tallies.get(`${userId}/${experimentId}`);
    return tally && { ...tally };
  }
}

export class MemoryCounters implements CounterStore {
  readonly counted = new Set<string>();
  readonly rows = new Map<string, VariantCounters>();

  constructor(private readonly records: MemoryAttributionRecords) {}

  async add(change: CountedChange) {
    const marker = `${change.userId}/${change.eventId}`;
    if (this.counted.has(marker)) return false;
    const tallyKey = `${change.userId}/${change.experimentId}`;
    if (JSON.stringify(this.records.tallies.get(tallyKey)) !== JSON.stringify(change.before))
      throw new TallyChangedError('moved');
    this.counted.add(marker);
    this.records.tallies.set(tallyKey, { ...change.after });
    const rowKey = `${change.experimentId}/${change.after.variant}`;
    const row = this.rows.get(rowKey) ?? emptyCounters(change.after.variant);
    for (const [field, value] of Object.entries(change.increments))
      (row as unknown as Record<string, number>)[field] += value;
    this.rows.set(rowKey, row);
    return true;
  }

  async read(experimentId: string) {
    return [...this.rows.entries()]
      .filter(([key]) => key.startsWith(`${experimentId}/`))
      .map(([, row]) => row);
  }
}
