import { Stack } from 'aws-cdk-lib';
import { EventField, Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { Construct } from 'constructs';
import { eventRules, s3Triggers, schedules, streamTriggers } from '#platform/declaration.ts';
import { pascalCase } from './constructs/declared-table.ts';
import { acknowledgeWildcardResource } from './constructs/nag.ts';
import type { MarqueeFunctions } from './declared-functions.ts';
import type { DeclaredResources } from './declared-resources.ts';

/** Deploy-time narrowing of declared event patterns, by event source. */
export type DetailFilters = Record<string, Record<string, unknown[]>>;

/**
 * Wires the declared S3 triggers, stream triggers, EventBridge rules and schedules (each invoking its function's
 * `live` alias) whose target function lives
 * in `scope`'s stack, so every trigger sits beside its function and no stack points back.
 * `detailFilters` adds `detail` matches known only at deploy time (e.g. this stack's queue ARN)
 * to rules on that source.
 */
export function wireDeclaredEvents(
  scope: Construct,
  registry: MarqueeFunctions,
  resources: DeclaredResources,
  detailFilters: DetailFilters = {},
): void {
  const local = (id: keyof MarqueeFunctions) => {
    const fn = registry[id];
    return fn && Stack.of(fn) === Stack.of(scope) ? fn : undefined;
  };
  for (const trigger of s3Triggers) {
    const fn = local(trigger.function);
    if (!fn) continue;
    const bucket = resources.bucketFor(scope, trigger.bucket);
    for (const event of trigger.events) {
      if (event !== 's3:ObjectCreated:*') throw new Error(`Unsupported S3 trigger event ${event}`);
      bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(fn.live));
    }
  }
  for (const trigger of streamTriggers) {
    const fn = local(trigger.function);
    if (!fn) continue;
    fn.live.addEventSource(
      new DynamoEventSource(resources.tableFor(scope, trigger.table), {
        // Every record still in the stream (24 h): counting is idempotent, so re-reading costs nothing.
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: trigger.batchSize,
        reportBatchItemFailures: true,
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { type: { S: FilterRule.or(...trigger.types) } } },
          }),
        ],
      }),
    );
    // The role sits beside the function, not under it: the acknowledgement goes on the role.
    acknowledgeWildcardResource(
      fn.role ?? fn,
      '*',
      'dynamodb:ListStreams has no resource-level permission; the event source mapping needs it, and reads only the one stream granted beside it.',
    );
  }
  for (const rule of eventRules) {
    const fn = local(rule.function);
    if (!fn) continue;
    new Rule(scope, `${pascalCase(rule.id)}Rule`, {
      description: `Routes ${rule.pattern['detail-type'].join(', ')} to ${rule.function}`,
      eventPattern: {
        source: rule.pattern.source,
        detailType: rule.pattern['detail-type'],
        detail: mergeDetail(rule.pattern.detail, rule.pattern.source, detailFilters),
      },
      targets: [new LambdaFunction(fn.live)],
    });
  }
  for (const schedule of schedules) {
    const fn = local(schedule.function);
    if (!fn) continue;
    new Rule(scope, `${pascalCase(schedule.id)}Schedule`, {
      description: `Runs ${schedule.function} on ${schedule.expression}`,
      schedule: Schedule.expression(schedule.expression),
      // Keep the EventBridge envelope so the handler reads `detail` exactly as from any other event.
      targets: [
        new LambdaFunction(fn.live, {
          event: RuleTargetInput.fromObject({
            version: '0',
            id: EventField.eventId,
            'detail-type': 'Scheduled Event',
            source: 'aws.events',
            account: EventField.account,
            time: EventField.time,
            region: EventField.region,
            resources: [],
            detail: schedule.detail,
          }),
        }),
      ],
    });
  }
}

function mergeDetail(
  declared: Record<string, unknown[]> | undefined,
  sources: string[],
  filters: DetailFilters,
): Record<string, unknown[]> | undefined {
  const extra = Object.assign({}, ...sources.map((source) => filters[source] ?? {}));
  const merged = { ...declared, ...extra };
  return Object.keys(merged).length > 0 ? merged : undefined;
}
