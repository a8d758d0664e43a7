/** Lambda adapter of the experiments routes: parse (done by the edge), call the service, map the result. */
import {
  DynamoCounterReader,
  DynamoExperimentStore,
} from '#adapters/experiments/dynamo-experiment-stores.ts';
import { experimentsContracts } from '#contracts/experiments.ts';
import { ExperimentService } from '#domain/experiments/service.ts';
import { MODEL_NAMES } from '#domain/recommendations/artifact.ts';
import { httpHandler } from '#edge/http.ts';
import { tableNameFromEnv } from '#platform/config.ts';

const service = new ExperimentService(
  new DynamoExperimentStore(tableNameFromEnv('experiments')),
  // Results read the counters only; this function never touches per-user rows.
  new DynamoCounterReader(tableNameFromEnv('experimentCounters')),
  MODEL_NAMES,
);

export const handler = httpHandler('experiments', experimentsContracts, {
  createExperiment: async ({ body }) => ({ status: 201, body: await service.create(body) }),
  listExperiments: async () => ({ status: 200, body: { experiments: await service.list() } }),
  getExperiment: async ({ params }) => ({ status: 200, body: await service.get(params.experimentId) }),
  stopExperiment: async ({ params }) => ({ status: 200, body: await service.stop(params.experimentId) }),
  getExperimentResults: async ({ params }) => ({
    status: 200,
    body: await service.results(params.experimentId),
  }),
});
