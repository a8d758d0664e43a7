import { Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Access,
  type BucketAccess,
  type BucketId,
  buckets,
  type FunctionId,
  functions,
  streamTriggers,
  type TableId,
  tables,
} from '#platform/declaration.ts';
import { OBJECT_WRITE_ACTIONS, TABLE_WRITE_ACTIONS } from '#infra/constructs/marquee-function.ts';
import { exportNameOf } from '#infra/declared-resources.ts';
import { concernOfFunction } from '#infra/placement.ts';
import {
  actionsOf,
  logicalIdOf,
  type PolicyStatementJson,
  type SynthesizedMarquee,
  statementsOfRole,
  synthesizeMarquee,
} from './synthesize-marquee.ts';

let marquee: SynthesizedMarquee;
beforeAll(() => {
  // synth runs the AwsSolutions plugin registered by defineMarquee and throws on any error it reports.
  marquee = synthesizeMarquee();
});
afterAll(() => marquee?.cleanup());

interface Acknowledgement {
  path: string;
  id: string;
  reason: string;
}

/** Every acknowledgement recorded anywhere in the app. */
function acknowledgements(): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  const visit = (construct: IConstruct) => {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason });
      }
    }
    construct.node.children.forEach(visit);
  };
  visit(marquee.app);
  return found;
}

/** What AwsSolutions would report if nothing were acknowledged. */
function unacknowledgedFindings(): { ruleName: string; constructPath: string }[] {
  const pack = new AwsSolutionsChecks();
  // cdk-nag 3 offers no switch for this; overriding its lookup shows the raw findings.
  (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  return pack
    .validateScope(marquee.app)
    .violations.flatMap((v) =>
      v.violatingResources.map((r) => ({ ruleName: v.ruleName, constructPath: r.constructPath! })),
    );
}

describe('cdk-nag AwsSolutions', () => {
  it('reports nothing that is neither fixed nor acknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(marquee.app);
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources[0].constructPath}`)).toEqual(
      [],
    );
    expect(report.success).toBe(true);
  });

  it('fails synth when a resource breaks a rule and nobody acknowledged it', () => {
    // Prepare: a bucket without logging, TLS enforcement or public-access block.
    const synthWithLooseBucket = () =>
      synthesizeMarquee({ beforeSynth: (stacks) => new Bucket(stacks.data, 'LooseBucket') }).cleanup();
    // Act and assess: the AwsSolutions plugin registered by defineMarquee stops synth.
    expect(synthWithLooseBucket).toThrow(
      /AwsSolutions-S1[\s\S]*LooseBucket|LooseBucket[\s\S]*AwsSolutions-S1/,
    );
  });

  it('acknowledges only real findings, each with a specific reason', () => {
    const raw = unacknowledgedFindings();
    const acks = acknowledgements();
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThan(40);
    const stale = acks.filter(
      (ack) =>
        !raw.some(
          (finding) => finding.ruleName === ack.id && `${finding.constructPath}/`.startsWith(`${ack.path}/`),
        ),
    );
    expect(stale.map((ack) => `${ack.id} at ${ack.path}`)).toEqual([]);
  });

  it('acknowledges no finding about public access, encryption, TLS, logging or authorization', () => {
    // Those have real fixes; only runtime, wildcard-resource and CDK-internal findings may be acknowledged.
    // CDK's own BucketDeployment function (the console's files) may also have its wildcard actions
    // acknowledged, and the console's static distribution its geo-restriction and WAF warnings.
    const cdkDeployment = /\/Custom::CDKBucketDeployment[0-9A-F]+(\d+MiB)?$/;
    const allowed =
      /^AwsSolutions-(IAM5\[Resource::|IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole\]$|L1$)/;
    // The playback CDN alone may acknowledge what has no fix short of a customer's choice: geo
    // restriction (CFR1), a WAF web ACL (CFR2), the default certificate's TLS floor (CFR4, fixed by a
    // custom domain), and a rotation Lambda for a key pair that rotates through the key group (SMG4).
    const playbackOnly = /^AwsSolutions-(CFR1|CFR2|CFR4|SMG4)$/;
    for (const ack of acknowledgements()) {
      if (cdkDeployment.test(ack.path) && ack.id.startsWith('AwsSolutions-IAM5[Action::s3:')) continue;
      if (ack.path.endsWith('-Console/Distribution') && /^AwsSolutions-CFR[12]$/.test(ack.id)) continue;
      // The recommendation id key is not rotated on a schedule either (rotation voids issued ids).
      if (ack.id === 'AwsSolutions-SMG4' && ack.path.endsWith('/RecommendationIdKey/Secret')) continue;
      if (playbackOnly.test(ack.id))
        expect(ack.path, ack.id).toMatch(/\/Playback\/(Distribution|SigningKey)$/);
      else expect(ack.id, ack.path).toMatch(allowed);
    }
    const managedPolicyAcks = acknowledgements().filter((ack) => ack.id.startsWith('AwsSolutions-IAM4'));
    // CDK's own singleton handlers: S3 notifications, the console's BucketDeployment, and the
    // AwsCustomResource of the post-deploy retrain.
    for (const ack of managedPolicyAcks) {
      expect(ack.path).toMatch(
        /\/(BucketNotificationsHandler[0-9a-f]+|Custom::CDKBucketDeployment[0-9A-F]+(\d+MiB)?|AWS679f53fac002430cb0da5b7982bd2287)$/,
      );
    }
  });
});

describe('least privilege', () => {
  const functionIds = Object.keys(functions) as FunctionId[];

  function statementsOf(id: FunctionId): PolicyStatementJson[] {
    const fn = marquee.functions[id]!;
    return statementsOfRole(marquee.templates[concernOfFunction(id)], logicalIdOf(fn.executionRole));
  }

  /** Statements whose resources name the table or bucket (by export or, in its own stack, by logical id). */
  function statementsReaching(
    id: FunctionId,
    kind: 'table' | 'bucket',
    resourceId: string,
  ): PolicyStatementJson[] {
    const owner =
      kind === 'table'
        ? marquee.resources.declaredTable(resourceId as TableId)
        : marquee.resources.declaredBucket(resourceId as BucketId);
    const marks = [exportNameOf(owner, kind, resourceId)];
    if (Stack.of(owner) === Stack.of(marquee.functions[id]!)) marks.push(`"${logicalIdOf(owner)}"`);
    return statementsOf(id).filter((s) => marks.some((mark) => JSON.stringify(s.Resource).includes(mark)));
  }

  it('keeps the catalog function away from the assets table', () => {
    expect(statementsReaching('catalog', 'table', 'assets')).toEqual([]);
    expect(statementsReaching('catalog', 'table', 'items').length).toBeGreaterThan(0);
  });

  const resourceKinds = [
    {
      kind: 'table' as const,
      plural: 'tables',
      ids: Object.keys(tables),
      declared: (id: FunctionId) => functions[id].tables as Partial<Record<string, Access>>,
      readAction: 'dynamodb:Query',
      writeActions: TABLE_WRITE_ACTIONS,
    },
    {
      kind: 'bucket' as const,
      plural: 'buckets',
      ids: Object.keys(buckets),
      declared: (id: FunctionId) => functions[id].buckets as Partial<Record<string, BucketAccess>>,
      readAction: 's3:GetObject',
      writeActions: OBJECT_WRITE_ACTIONS,
    },
  ];

  it.each(resourceKinds)(
    'grants each function exactly the $plural it declares: reads only where declared read or readWrite, writes only where readWrite or write',
    ({ kind, ids, declared, readAction, writeActions }) => {
      for (const id of functionIds) {
        for (const resourceId of ids) {
          const access = declared(id)[resourceId];
          const actions = statementsReaching(id, kind, resourceId).flatMap(actionsOf);
          const label = `${id} -> ${resourceId} (${access ?? 'none'})`;
          expect(actions.includes(readAction), label).toBe(access === 'read' || access === 'readWrite');
          const writes = actions.filter((a) => writeActions.includes(a));
          expect(writes.length > 0, label).toBe(access === 'readWrite' || access === 'write');
          // Undeclared or name-only: nothing at all reaches the resource.
          if (!access || access === 'name') expect(actions, label).toEqual([]);
        }
      }
    },
  );

  it('grants no wildcard actions and attaches no managed policies to function roles', () => {
    for (const id of functionIds) {
      expect(
        statementsOf(id)
          .flatMap(actionsOf)
          .filter((a) => a.includes('*')),
        id,
      ).toEqual([]);
      const role =
        marquee.templates[concernOfFunction(id)].toJSON().Resources[
          logicalIdOf(marquee.functions[id]!.executionRole)
        ];
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });

  it('grants Resource "*" only where the action has no resource-level permission: MediaConvert Probe, ListStreams', () => {
    for (const id of functionIds) {
      const wildcard = statementsOf(id)
        .filter((statement) => ([] as unknown[]).concat(statement.Resource).includes('*'))
        .flatMap(actionsOf);
      const expected = [
        ...('usesMediaConvert' in functions[id] ? ['mediaconvert:Probe'] : []),
        // A stream event source mapping lists the table's streams.
        ...(streamTriggers.some((trigger) => trigger.function === id) ? ['dynamodb:ListStreams'] : []),
      ];
      expect(wildcard, id).toEqual(expected);
    }
  });
});
