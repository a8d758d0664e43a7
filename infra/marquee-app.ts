import { type App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type FunctionDeclaration,
  type FunctionId,
  functions as declaredFunctions,
  playbackBucket,
} from '#platform/declaration.ts';
import { PlaybackDistribution } from './constructs/playback-distribution.ts';
import { RecommendationIdKey } from './constructs/recommendation-id-key.ts';
import { functionFor, type MarqueeFunctions } from './declared-functions.ts';
import { DeclaredResources } from './declared-resources.ts';
import { checkPlacement } from './placement.ts';
import { readSettings, type MarqueeSettings } from './settings.ts';
import { ApiStack } from './stacks/api-stack.ts';
import { ConsoleStack } from './stacks/console-stack.ts';
import { DataStack } from './stacks/data-stack.ts';
import { MediaStack } from './stacks/media-stack.ts';
import { MlStack } from './stacks/ml-stack.ts';

export interface MarqueeStacks {
  settings: MarqueeSettings;
  data: DataStack;
  media: MediaStack;
  ml: MlStack;
  api: ApiStack;
  console: ConsoleStack;
  functions: MarqueeFunctions;
  resources: DeclaredResources;
  /** The signed CDN of the served bucket, in that bucket's stack. */
  playback?: PlaybackDistribution;
}

/**
 * Adds Marquee's five stacks to `app`, built from the one declaration, and registers the cdk-nag
 * AwsSolutions checks so synth fails on any finding that is neither fixed nor acknowledged.
 * The layer folders must exist first (`buildLayers()` from layers/build.ts).
 */
export function defineMarquee(app: App): MarqueeStacks {
  checkPlacement();
  const settings = readSettings(app.node);
  const resources = new DeclaredResources();
  const functions: MarqueeFunctions = {};
  const prefix = `Marquee-${settings.stage}`;
  const data = new DataStack(app, `${prefix}-Data`, {
    settings,
    resources,
    description: 'Marquee tables and buckets',
  });
  const media = new MediaStack(app, `${prefix}-Media`, {
    settings,
    resources,
    functions,
    accessLogs: data.accessLogs,
    description: 'Marquee video ingest and MediaConvert',
  });
  const ml = new MlStack(app, `${prefix}-Ml`, {
    settings,
    resources,
    functions,
    description: 'Marquee model serving, training and layers',
  });
  const api = new ApiStack(app, `${prefix}-Api`, {
    settings,
    resources,
    functions,
    description: 'Marquee HTTP API',
  });
  const webConsole = new ConsoleStack(app, `${prefix}-Console`, {
    settings,
    apiUrl: api.httpApi.apiEndpoint,
    accessLogs: data.accessLogs,
    description: 'Marquee web console and API reference (S3 + CloudFront)',
  });
  const playback = addPlaybackDistribution(settings, resources, data, functions);
  addRecommendationIdKey(data, functions);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { settings, data, media, ml, api, console: webConsole, functions, resources, playback };
}

/** The recommendation id signing key, in the data stack, readable by every function that declares it. */
function addRecommendationIdKey(data: DataStack, functions: MarqueeFunctions): void {
  const key = new RecommendationIdKey(data, 'RecommendationIdKey');
  for (const id of Object.keys(declaredFunctions) as FunctionId[]) {
    const declaration: FunctionDeclaration = declaredFunctions[id];
    if (declaration.settings?.includes('RECOMMENDATION_ID_KEY_SECRET'))
      key.bindReader(functionFor(functions, id));
  }
}

/**
 * Puts the CloudFront distribution beside the served bucket (its bucket policy must name the
 * distribution, so the two share a stack) and binds every function that signs for it.
 */
function addPlaybackDistribution(
  settings: MarqueeSettings,
  resources: DeclaredResources,
  data: DataStack,
  functions: MarqueeFunctions,
): PlaybackDistribution | undefined {
  const served = playbackBucket();
  if (!served) return undefined;
  const bucket = resources.declaredBucket(served);
  const playback = new PlaybackDistribution(Stack.of(bucket), 'Playback', {
    bucket,
    publicKeyFiles: settings.playbackPublicKeyFiles,
    root: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'),
    accessLogs: data.accessLogs,
  });
  for (const id of Object.keys(declaredFunctions) as FunctionId[]) {
    const declaration: FunctionDeclaration = declaredFunctions[id];
    if (declaration.signsPlaybackFor === served) playback.bindSigner(functionFor(functions, id));
  }
  return playback;
}
