import type { ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { type BucketId, buckets, type FunctionId, type TableId, tables } from '#platform/declaration.ts';
import { MarqueeFunction } from './constructs/marquee-function.ts';
import type { DeclaredResources } from './declared-resources.ts';
import { functionsOf, type StackConcern } from './placement.ts';
import type { MarqueeSettings } from './settings.ts';

/** Functions created so far, by declaration id (filled stack by stack). */
export type MarqueeFunctions = Partial<Record<FunctionId, MarqueeFunction>>;

export interface DeclaredFunctionsProps {
  settings: MarqueeSettings;
  resources: DeclaredResources;
  modelLayers?: { runtime: ILayerVersion; models: ILayerVersion };
  /** Given to the functions that declare `usesFfmpeg`. */
  ffmpegLayer?: ILayerVersion;
}

/**
 * Creates the declared functions that belong to `concern` in `scope`, each bound to exactly the
 * tables and buckets it declares, and adds them to `registry`.
 */
export function createDeclaredFunctions(
  scope: Construct,
  concern: StackConcern,
  props: DeclaredFunctionsProps,
  registry: MarqueeFunctions,
): MarqueeFunction[] {
  const created = functionsOf(concern).map((declaration) => {
    const fn = new MarqueeFunction(scope, {
      declaration,
      settings: props.settings,
      modelLayers: declaration.usesModels ? props.modelLayers : undefined,
      ffmpegLayer: declaration.usesFfmpeg ? props.ffmpegLayer : undefined,
    });
    for (const tableId of Object.keys(declaration.tables) as TableId[]) {
      fn.bindTable(tables[tableId], props.resources.tableFor(scope, tableId));
    }
    for (const bucketId of Object.keys(declaration.buckets) as BucketId[]) {
      fn.bindBucket(buckets[bucketId], props.resources.bucketFor(scope, bucketId));
    }
    registry[declaration.id as FunctionId] = fn;
    return fn;
  });
  return created;
}

/** The function created for `id`; throws if its stack has not been built yet. */
export function functionFor(registry: MarqueeFunctions, id: FunctionId): MarqueeFunction {
  const fn = registry[id];
  if (!fn) throw new Error(`Function ${id} is referenced before its stack created it`);
  return fn;
}
