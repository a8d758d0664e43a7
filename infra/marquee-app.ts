import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { MarqueeFunctions } from './declared-functions.ts';
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
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { settings, data, media, ml, api, console: webConsole, functions, resources };
}
