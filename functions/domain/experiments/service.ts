/** The experiments routes: create, list, read, stop, and results from the streamed counters. */
import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../errors.ts';
import type { CounterStore } from './counting.ts';
import {
  type Experiment,
  type ExperimentInput,
  type ExperimentStatus,
  planExperiment,
  statusOf,
  stopExperiment,
} from './experiment.ts';
import { type ExperimentResults, experimentResults } from './results.ts';

export interface ExperimentStore {
  /** Stores a new experiment. */
  create(experiment: Experiment): Promise<void>;
  /** Replaces an experiment, unless it changed since `previous` was read (ConflictError). */
  replace(experiment: Experiment, previous: Experiment): Promise<void>;
  get(experimentId: string): Promise<Experiment | undefined>;
  /** Every experiment (a handful: they are created by hand). */
  list(): Promise<Experiment[]>;
}

export type ExperimentView = Experiment & { status: ExperimentStatus };

export class ExperimentService {
  constructor(
    private readonly store: ExperimentStore,
    private readonly counters: Pick<CounterStore, 'read'>,
    private readonly models: readonly string[],
    private readonly clock: () => number = Date.now,
    private readonly newId: () => string = () => `exp-${randomUUID().slice(0, 8)}`,
  ) {}

  private view(experiment: Experiment): ExperimentView {
    return { ...experiment, status: statusOf(experiment, this.clock()) };
  }

  async create(input: ExperimentInput): Promise<ExperimentView> {
    const experiment = planExperiment(input, {
      experimentId: this.newId(),
      nowMs: this.clock(),
      models: this.models,
      existing: await this.store.list(),
    });
    await this.store.create(experiment);
    return this.view(experiment);
  }

  async list(): Promise<ExperimentView[]> {
    const all = await this.store.list();
    return all.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((e) => this.view(e));
  }

  async get(experimentId: string): Promise<ExperimentView> {
    return this.view(await this.found(experimentId));
  }

  async stop(experimentId: string): Promise<ExperimentView> {
    const experiment = await this.found(experimentId);
    const stopped = stopExperiment(experiment, this.clock());
    await this.store.replace(stopped, experiment);
    return this.view(stopped);
  }

  async results(experimentId: string): Promise<ExperimentResults> {
    const experiment = await this.found(experimentId);
    const counters = await this.counters.read(experimentId);
    return experimentResults(experiment, counters, statusOf(experiment, this.clock()));
  }

  private async found(experimentId: string): Promise<Experiment> {
    const experiment = await this.store.get(experimentId);
    if (!experiment) throw new NotFoundError('experiment', experimentId);
    return experiment;
  }
}
