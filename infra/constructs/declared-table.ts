import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  StreamViewType,
  Table,
  TableEncryption,
  type Attribute,
} from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { KeyAttribute, TableDeclaration } from '#platform/declaration.ts';

const attribute = (key: KeyAttribute): Attribute => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/**
 * A DynamoDB table exactly as declared: keys, TTL, global and local indexes; on-demand,
 * point-in-time recovery and encrypted with the AWS-managed KMS key (no key policy to run).
 */
export class DeclaredTable extends Table {
  readonly declaration: TableDeclaration;

  constructor(scope: Construct, declaration: TableDeclaration) {
    super(scope, `${pascalCase(declaration.id)}Table`, {
      partitionKey: attribute(declaration.partitionKey),
      sortKey: declaration.sortKey ? attribute(declaration.sortKey) : undefined,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: declaration.ttlAttribute,
      stream: declaration.stream === 'NEW_IMAGE' ? StreamViewType.NEW_IMAGE : undefined,
      // Tables hold customer data: deleting the stack must not delete them.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.declaration = declaration;
    for (const index of declaration.globalIndexes ?? []) {
      this.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        sortKey: index.sortKey ? attribute(index.sortKey) : undefined,
      });
    }
    for (const index of declaration.localIndexes ?? []) {
      this.addLocalSecondaryIndex({ indexName: index.name, sortKey: attribute(index.sortKey) });
    }
  }
}

/** `mediaEvents` -> `MediaEvents`: construct ids from declaration ids. */
export const pascalCase = (id: string): string =>
  id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
