import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Size, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { Alias, Architecture, type ILayerVersion, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import {
  type Access,
  type BucketAccess,
  type BucketDeclaration,
  type FunctionDeclaration,
  routes,
  type SettingDeclaration,
  settings as declaredSettings,
  SERVING_ALIAS,
  type TableDeclaration,
} from '#platform/declaration.ts';
import type { MarqueeSettings } from '../settings.ts';
import { pascalCase } from './declared-table.ts';
import { acknowledgeWildcardResource } from './nag.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The one architecture of every function and layer; the runtime layer holds onnxruntime's
 * binaries for exactly this one (layers/build.ts `buildLayers(LAMBDA_ARCHITECTURE.name)`).
 */
export const LAMBDA_ARCHITECTURE = Architecture.ARM_64;

/** The one runtime of every function and layer. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_22_X;

/** Where the models layer unpacks in Lambda (layer zips extract under /opt). */
export const MODELS_DIR_IN_LAMBDA = '/opt/models';

/** Item-level reads the functions make; no condition checks, stream or table administration. */
export const TABLE_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
];
/** Item-level writes (TransactWriteItems is authorised through these). */
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
export const OBJECT_READ_ACTIONS = ['s3:GetObject'];
/** Functions only put whole objects; expiry and multipart clean-up are the buckets' lifecycle rules. */
export const OBJECT_WRITE_ACTIONS = ['s3:PutObject'];

/**
 * NODE_OPTIONS of a function. Every bundle ships its linked source map, but only functions that
 * serve no HTTP route turn on `--enable-source-maps`: Node then reads and parses the whole map
 * while loading the bundle (about 35-60 ms of a cold start for a 0.8 MB bundle on Node 20), a
 * cost a caller would wait for. An HTTP function's logged stacks show minified positions
 * (index.mjs:1:column) instead, resolved offline with the index.mjs.map of the deployed asset.
 */
export function nodeOptionsOf(declaration: FunctionDeclaration): string | undefined {
  return servesHttp(declaration) ? undefined : '--enable-source-maps';
}

/**
 * The settings a function reads that are chosen at deploy time: each from its CDK context key, else
 * its default, checked against its declaration so a bad value fails synth naming the key.
 */
export function contextSettingsOf(
  scope: Construct,
  declaration: FunctionDeclaration,
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const id of declaration.settings ?? []) {
    const setting: SettingDeclaration = declaredSettings[id];
    if (!setting.context) continue;
    const value = scope.node.tryGetContext(setting.context) ?? setting.default;
    if (value === undefined)
      throw new Error(`CDK context "${setting.context}" is required (${setting.description})`);
    if (setting.type === 'number') {
      const number = Number(value);
      const inRange =
        Number.isFinite(number) &&
        (setting.min === undefined || number >= setting.min) &&
        (setting.max === undefined || number <= setting.max);
      if (!inRange)
        throw new Error(
          `CDK context "${setting.context}" must be a number in [${setting.min ?? '-inf'}, ${setting.max ?? 'inf'}], got ${value}`,
        );
    }
    environment[setting.env] = String(value);
  }
  return environment;
}

/** Whether any declared route invokes the function. */
const servesHttp = (declaration: FunctionDeclaration): boolean =>
  routes.some((route) => route.function === declaration.id);

export interface MarqueeFunctionProps {
  declaration: FunctionDeclaration;
  settings: MarqueeSettings;
  /** The onnxruntime-node and models layers; required when the declaration `usesModels`. */
  modelLayers?: { runtime: ILayerVersion; models: ILayerVersion };
  /** The ffmpeg layer (/opt/bin/ffmpeg); required when the declaration `usesFfmpeg`. */
  ffmpegLayer?: ILayerVersion;
}

/**
 * A Lambda function built from its declaration with Marquee's defaults set once: Node 22 on
 * arm64, a CommonJS bundle made by the local esbuild (no Docker) with source maps, no X-Ray tracing,
 * its own log group with a retention, and a role that starts with nothing but that log group.
 * Access to data is added only through `bindTable` / `bindBucket`, which read the access level
 * from the declaration and set the environment variable in the same call.
 */
export class MarqueeFunction extends NodejsFunction {
  readonly declaration: FunctionDeclaration;
  /**
   * The `live` alias the API and the triggers invoke: on the version a deploy publishes, then moved
   * by retrain to each version it publishes with a new models layer.
   */
  readonly live: Alias;

  constructor(scope: Construct, props: MarqueeFunctionProps) {
    const { declaration, settings } = props;
    const id = pascalCase(declaration.id);
    if (declaration.usesModels && !props.modelLayers) {
      throw new Error(`Function ${declaration.id} uses models but was given no model layers`);
    }
    if (declaration.usesFfmpeg && !props.ffmpegLayer) {
      throw new Error(`Function ${declaration.id} uses ffmpeg but was given no ffmpeg layer`);
    }
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: settings.logRetentionDays as RetentionDays,
    });
    // An explicit role instead of AWSLambdaBasicExecutionRole, whose logs:* reaches every log group.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Marquee ${declaration.id} function`,
    });
    logGroup.grantWrite(role);
    super(scope, `${id}Function`, {
      entry: path.join(repoRoot, declaration.entry),
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
      description: declaration.description,
      runtime: LAMBDA_RUNTIME,
      architecture: LAMBDA_ARCHITECTURE,
      memorySize: declaration.memoryMb,
      ...(declaration.tmpMb ? { ephemeralStorageSize: Size.mebibytes(declaration.tmpMb) } : {}),
      timeout: Duration.seconds(declaration.timeoutSec),
      reservedConcurrentExecutions: settings.reservedConcurrency
        ? declaration.reservedConcurrency
        : undefined,
      // No X-Ray: no code here sends subsegments (Powertools Tracer would add the X-Ray SDK to every
      // cold start), so active tracing only recorded what the Lambda REPORT line and metrics already say.
      tracing: Tracing.DISABLED,
      logGroup,
      role,
      layers: [
        ...(declaration.usesModels ? [props.modelLayers!.runtime, props.modelLayers!.models] : []),
        ...(declaration.usesFfmpeg ? [props.ffmpegLayer!] : []),
      ],
      environment: {
        MARQUEE_STAGE: settings.stage,
        POWERTOOLS_SERVICE_NAME: `marquee-${declaration.id}`,
        ...(nodeOptionsOf(declaration) === undefined ? {} : { NODE_OPTIONS: nodeOptionsOf(declaration) }),
        ...(declaration.settings?.includes('MODELS_DIR') ? { MODELS_DIR: MODELS_DIR_IN_LAMBDA } : {}),
        ...contextSettingsOf(scope, declaration),
      },
      bundling: {
        forceDockerBundling: false,
        // CommonJS, not ESM: Node loads the same 0.8 MB bundle about 30 ms faster through require
        // than as an ES module (BENCHMARKS.md, cold start, same-run ESM row), and `require` exists
        // for the X-Ray SDK inside Powertools without a banner.
        format: OutputFormat.CJS,
        target: 'node22',
        platform: 'node',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        // Linked (not external): --enable-source-maps finds the map through the sourceMappingURL
        // comment, and so does whoever resolves a minified stack of an HTTP function offline.
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        // The native binding ships in the runtime layer; everything else (AWS SDK included) is
        // bundled so the code runs against the versions it was tested with.
        externalModules: ['onnxruntime-node'],
        logLevel: LogLevel.ERROR,
      },
    });
    this.declaration = declaration;
    this.live = new Alias(this, 'LiveAlias', { aliasName: SERVING_ALIAS, version: this.currentVersion });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the project runtime: code and tests run on Node 20+ locally, 22 is the newest LTS verified here.',
    });
  }

  /** The role the function runs as (always the explicit one created above). */
  get executionRole(): IRole {
    return this.role!;
  }

  /**
   * Grants the declared access (read or readWrite) to `table` and its declared indexes, by exact
   * ARN, and sets the table's environment variable.
   */
  bindTable(declaration: TableDeclaration, table: ITable): void {
    const access = this.declaredAccess('tables', declaration.id);
    const indexNames = [...(declaration.globalIndexes ?? []), ...(declaration.localIndexes ?? [])].map(
      (index) => index.name,
    );
    this.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions:
          access === 'readWrite' ? [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS] : TABLE_READ_ACTIONS,
        resources: [table.tableArn, ...indexNames.map((name) => `${table.tableArn}/index/${name}`)],
      }),
    );
    this.addEnvironment(declaration.env, table.tableName);
  }

  /**
   * Grants the declared access to objects in `bucket` (no bucket administration) and sets its
   * variable: `name` grants nothing, `write` only puts, reads come with ListBucket (so a missing key
   * is a 404, not a 403).
   */
  bindBucket(declaration: BucketDeclaration, bucket: IBucket): void {
    const access = this.declaredAccess('buckets', declaration.id) as BucketAccess;
    this.addEnvironment(declaration.env, bucket.bucketName);
    if (access === 'name') return;
    const reads = access === 'read' || access === 'readWrite';
    const objects = bucket.arnForObjects('*');
    this.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: [...(reads ? OBJECT_READ_ACTIONS : []), ...(access === 'read' ? [] : OBJECT_WRITE_ACTIONS)],
        resources: [objects],
      }),
    );
    if (reads) {
      this.addToRolePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
        }),
      );
    }
    acknowledgeWildcardResource(
      this.executionRole,
      objects,
      `Object keys in the ${declaration.id} bucket are chosen at run time; the grant is limited to that one bucket.`,
    );
  }

  private declaredAccess(kind: 'tables' | 'buckets', resourceId: string): Access | BucketAccess {
    const access = (this.declaration[kind] as Record<string, Access | BucketAccess | undefined>)[resourceId];
    if (!access) {
      throw new Error(`Function ${this.declaration.id} does not declare access to ${kind} ${resourceId}`);
    }
    return access;
  }
}
