/**
 * Which stack each declared function and bucket lives in, derived from the declaration so a new
 * function lands somewhere sensible without editing infra/. The stacks depend on each other only
 * in `stackOrder` (data <- media <- ml <- api); `checkPlacement` proves the declaration keeps it so.
 */
import {
  type BucketId,
  buckets,
  eventRules,
  type FunctionDeclaration,
  type FunctionId,
  functions,
  s3Triggers,
} from '#platform/declaration.ts';

export type StackConcern = 'data' | 'media' | 'ml' | 'api';

/** Deployment order: a stack may use resources of stacks before it, never after. */
export const stackOrder: readonly StackConcern[] = ['data', 'media', 'ml', 'api'];

/**
 * Functions that load models live with the models layers and the retrain job (ml); functions
 * fed by S3 or MediaConvert live with the uploads bucket and MediaConvert (media); the rest
 * serve only HTTP (api).
 */
export function concernOfFunction(id: FunctionId): Exclude<StackConcern, 'data'> {
  const declaration: FunctionDeclaration = functions[id];
  if (declaration.usesModels) return 'ml';
  const isMediaTarget =
    declaration.usesMediaConvert ||
    s3Triggers.some((trigger) => trigger.function === id) ||
    eventRules.some((rule) => rule.function === id);
  return isMediaTarget ? 'media' : 'api';
}

/**
 * Buckets live in the data stack, except a bucket that triggers a function: S3 notifications
 * point from the bucket to the function, so both must share a stack or the stacks would depend
 * on each other both ways.
 */
export function concernOfBucket(id: BucketId): StackConcern {
  const trigger = s3Triggers.find((candidate) => candidate.bucket === id);
  return trigger ? concernOfFunction(trigger.function) : 'data';
}

/** Throws if a function would use a bucket from a stack deployed after its own. */
export function checkPlacement(): void {
  for (const id of Object.keys(functions) as FunctionId[]) {
    const home = stackOrder.indexOf(concernOfFunction(id));
    for (const bucketId of Object.keys(functions[id].buckets) as BucketId[]) {
      const bucketHome = concernOfBucket(bucketId);
      if (stackOrder.indexOf(bucketHome) > home) {
        throw new Error(
          `Function ${id} (${concernOfFunction(id)} stack) uses bucket ${bucketId} from the later ${bucketHome} stack`,
        );
      }
    }
  }
  for (const id of Object.keys(buckets) as BucketId[]) concernOfBucket(id);
}

/** The declared functions that live in the given stack. */
export const functionsOf = (concern: StackConcern): FunctionDeclaration[] =>
  (Object.keys(functions) as FunctionId[])
    .filter((id) => concernOfFunction(id) === concern)
    .map((id) => functions[id]);
