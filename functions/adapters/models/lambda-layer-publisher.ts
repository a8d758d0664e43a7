/**
 * Lambda adapter of the models layer port: zips the live artifacts from the models bucket,
 * uploads the zip next to them (PublishLayerVersion takes inline zips only up to 50 MB; the models
 * are ~90 MB), publishes a layer version, swaps it into each serving function's layer list and
 * moves the function's `live` alias to a version published with it, and lists and deletes old
 * layer versions.
 */
import {
  type Architecture,
  DeleteLayerVersionCommand,
  GetFunctionConfigurationCommand,
  type GetFunctionConfigurationCommandOutput,
  LambdaClient,
  PublishLayerVersionCommand,
  PublishVersionCommand,
  paginateListLayerVersions,
  type Runtime,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
  waitForFunctionUpdated,
  waitUntilPublishedVersionActive,
} from '@aws-sdk/client-lambda';
import type { ModelsLayerFile, ModelsLayerPublisher } from '#domain/models/models-layer.ts';
import { layerNameOf, modelsLayerEntries, withModelsLayer } from '#domain/models/models-layer.ts';
import type { ArtifactStore } from '#domain/models/registry.ts';
import { zipArchive } from '#domain/models/zip.ts';
import { SERVING_ALIAS } from '#platform/declaration.ts';

let client: LambdaClient | undefined;

/** One Lambda client per process (region and credentials from the environment, as the others). */
export function lambdaClient(): LambdaClient {
  client ??= new LambdaClient({});
  return client;
}

export interface LambdaLayerPublisherOptions {
  /** The models bucket (holds the artifacts; the zip is uploaded under `layers/`, which expires). */
  bucket: string;
  /** Reads artifacts from and writes the zip to `bucket`. */
  artifacts: ArtifactStore;
  /** MODELS_LAYER_NAME, e.g. `marquee-prod-models`. */
  layerName: string;
  /** The serving functions' platform, declared on each version: MODELS_LAYER_ARCHITECTURE (`arm64`). */
  architecture: string;
  /** MODELS_LAYER_RUNTIME (`nodejs22.x`). */
  runtime: string;
  /** How long to wait for one function's update to finish, ms. */
  updateTimeoutMs?: number;
  /** The shortest wait between two GetFunctionConfiguration polls, ms (the SDK waiter backs off from it). */
  pollIntervalMs?: number;
  now?: () => Date;
}

export class LambdaLayerPublisher implements ModelsLayerPublisher {
  private readonly updateTimeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly now: () => Date;

  constructor(private readonly options: LambdaLayerPublisherOptions) {
    this.updateTimeoutMs = options.updateTimeoutMs ?? 120_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 2_000;
    this.now = options.now ?? (() => new Date());
  }

  async publish(files: readonly ModelsLayerFile[]): Promise<{ layerVersionArn: string }> {
    const entries = [];
    for (const file of files) {
      entries.push(...modelsLayerEntries(file, await this.options.artifacts.get(file.artifactKey)));
    }
    const zip = await zipArchive(entries);
    const key = `layers/models-${this.now().toISOString()}.zip`;
    await this.options.artifacts.put(key, zip);
    const out = await lambdaClient().send(
      new PublishLayerVersionCommand({
        LayerName: this.options.layerName,
        Description: describe(files),
        Content: { S3Bucket: this.options.bucket, S3Key: key },
        CompatibleArchitectures: [this.options.architecture as Architecture],
        CompatibleRuntimes: [this.options.runtime as Runtime],
      }),
    );
    if (!out.LayerVersionArn) throw new Error(`PublishLayerVersion returned no ARN for ${key}`);
    return { layerVersionArn: out.LayerVersionArn };
  }

  async attach(functionName: string, layerVersionArn: string): Promise<{ functionVersion: string }> {
    // An update still running (a deploy, an earlier retrain) would make ours fail with a conflict.
    const current = await this.waitForUpdate(functionName);
    const layers = withModelsLayer(layerArnsOf(current), layerVersionArn, this.options.layerName);
    await lambdaClient().send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: functionName,
        Layers: layers,
        // Refused if the configuration changed since we read it, instead of overwriting that change.
        RevisionId: current.RevisionId,
      }),
    );
    const done = await this.waitForUpdate(functionName);
    if (done.LastUpdateStatus !== 'Successful') {
      throw new Error(
        `updating ${functionName} to ${layerVersionArn} ended ${done.LastUpdateStatus}: ${done.LastUpdateStatusReason ?? 'no reason given'}`,
      );
    }
    // The API and the triggers invoke the `live` alias: a version of exactly this configuration
    // (RevisionId: refused if anything changed $LATEST since), then the alias moves to it.
    const published = await lambdaClient().send(
      new PublishVersionCommand({
        FunctionName: functionName,
        RevisionId: done.RevisionId,
        Description: `models layer ${layerVersionArn.split(':').at(-1)}`,
      }),
    );
    const functionVersion = published.Version;
    if (!functionVersion) throw new Error(`PublishVersion of ${functionName} returned no version`);
    await waitUntilPublishedVersionActive(
      {
        client: lambdaClient(),
        maxWaitTime: this.updateTimeoutMs / 1000,
        minDelay: this.pollIntervalMs / 1000,
        maxDelay: Math.max(this.pollIntervalMs / 1000, 10),
      },
      { FunctionName: functionName, Qualifier: functionVersion },
    );
    await lambdaClient().send(
      new UpdateAliasCommand({
        FunctionName: functionName,
        Name: SERVING_ALIAS,
        FunctionVersion: functionVersion,
      }),
    );
    return { functionVersion };
  }

  async attachedVersion(functionName: string): Promise<string | undefined> {
    const config = await lambdaClient().send(
      new GetFunctionConfigurationCommand({ FunctionName: functionName, Qualifier: SERVING_ALIAS }),
    );
    return this.modelsLayerOf(config);
  }

  async layersInUse(functionName: string): Promise<string[]> {
    const configs = await Promise.all(
      [undefined, SERVING_ALIAS].map((Qualifier) =>
        lambdaClient().send(new GetFunctionConfigurationCommand({ FunctionName: functionName, Qualifier })),
      ),
    );
    return configs.flatMap((config) => this.modelsLayerOf(config) ?? []);
  }

  private modelsLayerOf(config: GetFunctionConfigurationCommandOutput): string | undefined {
    return layerArnsOf(config).find((arn) => layerNameOf(arn) === this.options.layerName);
  }

  async listVersions(): Promise<number[]> {
    const versions: number[] = [];
    const pages = paginateListLayerVersions(
      { client: lambdaClient() },
      { LayerName: this.options.layerName },
    );
    for await (const page of pages) {
      for (const v of page.LayerVersions ?? []) if (v.Version !== undefined) versions.push(v.Version);
    }
    return versions;
  }

  async deleteVersion(version: number): Promise<void> {
    await lambdaClient().send(
      new DeleteLayerVersionCommand({ LayerName: this.options.layerName, VersionNumber: version }),
    );
  }

  /**
   * The function's configuration once its last update is no longer InProgress (Successful or
   * Failed), through the SDK's FunctionUpdated waiter, bounded by updateTimeoutMs.
   */
  private async waitForUpdate(functionName: string): Promise<GetFunctionConfigurationCommandOutput> {
    const result = await waitForFunctionUpdated(
      {
        client: lambdaClient(),
        maxWaitTime: this.updateTimeoutMs / 1000,
        minDelay: this.pollIntervalMs / 1000,
        maxDelay: Math.max(this.pollIntervalMs / 1000, 10),
      },
      { FunctionName: functionName },
    );
    // The waiter's failure state is an update that ended Failed: the caller reads why.
    if (result.state === 'SUCCESS' || result.state === 'FAILURE') {
      return result.reason as GetFunctionConfigurationCommandOutput;
    }
    throw new Error(`${functionName} still updating after ${this.updateTimeoutMs} ms (${result.state})`);
  }
}

/** Layer version description (Lambda allows 256 characters): the artifact keys it holds. */
function describe(files: readonly ModelsLayerFile[]): string {
  const text = `Live models: ${files.map((f) => f.artifactKey.replace(/^models\//, '')).join(', ')}`;
  return text.length <= 256 ? text : `${text.slice(0, 253)}...`;
}

function layerArnsOf(config: GetFunctionConfigurationCommandOutput): string[] {
  return (config.Layers ?? []).flatMap((layer) => (layer.Arn ? [layer.Arn] : []));
}
