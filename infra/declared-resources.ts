import { CfnOutput, Fn, Stack } from 'aws-cdk-lib';
import { type ITable, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { type BucketId, buckets, type TableId, tables } from '#platform/declaration.ts';
import type { DeclaredBucket } from './constructs/declared-bucket.ts';
import type { DeclaredTable } from './constructs/declared-table.ts';

/**
 * The declared tables and buckets, wherever they were created, handed to other stacks through
 * exports whose names Marquee chooses (`<stack>-table-<id>-arn`). CDK's automatic exports would
 * work too, but their names carry a hash, and cdk-nag acknowledgements must name the exact ARN
 * expression a policy grants; explicit names keep those acknowledgements computable and stable.
 */
export class DeclaredResources {
  private readonly tables = new Map<TableId, DeclaredTable>();
  private readonly buckets = new Map<BucketId, DeclaredBucket>();
  private readonly imports = new Map<string, ITable | IBucket>();

  /** Records a table and exports its ARN for other stacks. */
  addTable(table: DeclaredTable): void {
    const id = table.declaration.id as TableId;
    this.tables.set(id, table);
    new CfnOutput(table, 'ArnExport', {
      value: table.tableArn,
      exportName: exportNameOf(table, 'table', id),
    });
    // A stream trigger in another stack needs the stream's ARN, which the table's ARN does not give.
    if (table.tableStreamArn)
      new CfnOutput(table, 'StreamArnExport', {
        value: table.tableStreamArn,
        exportName: exportNameOf(table, 'table', `${id}-stream`),
      });
  }

  /** Records a bucket and exports its ARN for other stacks. */
  addBucket(bucket: DeclaredBucket): void {
    const id = bucket.declaration.id as BucketId;
    this.buckets.set(id, bucket);
    new CfnOutput(bucket, 'ArnExport', {
      value: bucket.bucketArn,
      exportName: exportNameOf(bucket, 'bucket', id),
    });
  }

  /** The table construct created for `id`, in its own stack. */
  declaredTable(id: TableId): DeclaredTable {
    const table = this.tables.get(id);
    if (!table) throw new Error(`Table ${id} has not been created yet`);
    return table;
  }

  /** The bucket construct created for `id`, in its own stack. */
  declaredBucket(id: BucketId): DeclaredBucket {
    const bucket = this.buckets.get(id);
    if (!bucket) throw new Error(`Bucket ${id} has not been created yet`);
    return bucket;
  }

  /** The table as seen from `scope`'s stack: itself if local, else an import (and a stack dependency). */
  tableFor(scope: Construct, id: TableId): ITable {
    const table = this.tables.get(id);
    if (!table) throw new Error(`Table ${id} is used before its stack created it`);
    if (Stack.of(table) === Stack.of(scope)) return table;
    return this.importInto(scope, table, 'table', id, (stack, exportName) => {
      const declaration = tables[id] as (typeof tables)[TableId] & {
        globalIndexes?: { name: string }[];
        localIndexes?: { name: string }[];
      };
      return Table.fromTableAttributes(stack, `Imported${table.node.id}`, {
        tableArn: Fn.importValue(exportName),
        globalIndexes: declaration.globalIndexes?.map((index) => index.name),
        localIndexes: declaration.localIndexes?.map((index) => index.name),
        ...(table.tableStreamArn
          ? { tableStreamArn: Fn.importValue(exportNameOf(table, 'table', `${id}-stream`)) }
          : {}),
      });
    });
  }

  /** The bucket as seen from `scope`'s stack: itself if local, else an import (and a stack dependency). */
  bucketFor(scope: Construct, id: BucketId): IBucket {
    const bucket = this.buckets.get(id);
    if (!bucket) throw new Error(`Bucket ${id} (${buckets[id].env}) is used before its stack created it`);
    if (Stack.of(bucket) === Stack.of(scope)) return bucket;
    return this.importInto(scope, bucket, 'bucket', id, (stack, exportName) =>
      Bucket.fromBucketArn(stack, `Imported${bucket.node.id}`, Fn.importValue(exportName)),
    );
  }

  private importInto<T extends ITable | IBucket>(
    scope: Construct,
    owner: Construct,
    kind: 'table' | 'bucket',
    id: string,
    create: (stack: Stack, exportName: string) => T,
  ): T {
    const consumer = Stack.of(scope);
    const key = `${consumer.node.path}/${kind}/${id}`;
    const existing = this.imports.get(key);
    if (existing) return existing as T;
    consumer.addStackDependency(Stack.of(owner), `uses ${kind} ${id}`);
    const imported = create(consumer, exportNameOf(owner, kind, id));
    this.imports.set(key, imported);
    return imported;
  }
}

/** The export through which a table's or bucket's ARN reaches other stacks. */
export const exportNameOf = (owner: Construct, kind: 'table' | 'bucket', id: string): string =>
  `${Stack.of(owner).stackName}-${kind}-${id}-arn`;
