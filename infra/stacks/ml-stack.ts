import { ArnFormat, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Code, LayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { DEPLOY_REASON } from '#domain/models/retrain-run.ts';
import type { FunctionId } from '#platform/declaration.ts';
import { layerPaths } from '../../layers/build.ts';
import { LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME, type MarqueeFunction } from '../constructs/marquee-function.ts';
import { acknowledgeCustomResourceProvider, acknowledgeWildcardResource } from '../constructs/nag.ts';
import { RetrainStateMachine } from '../constructs/retrain-state-machine.ts';
import { createDeclaredFunctions, type MarqueeFunctions } from '../declared-functions.ts';
import { wireDeclaredEvents } from '../declared-events.ts';
import type { DeclaredResources } from '../declared-resources.ts';
import type { MarqueeSettings } from '../settings.ts';

/** The declaration id of the function that trains models and puts winners live. */
export const RETRAIN_FUNCTION_ID: FunctionId = 'retrain';

/** The models bucket's keys a DynamoDB export of the events table writes (exportPrefix of every run). */
const EXPORT_OBJECTS = 'runs/*/export/*';

/** The declaration id of the function running the distributed retrain's tasks. */
export const RETRAIN_SHARD_FUNCTION_ID: FunctionId = 'retrainShard';

export interface MlStackProps extends StackProps {
  settings: MarqueeSettings;
  resources: DeclaredResources;
  functions: MarqueeFunctions;
}

/**
 * Model serving and training: the onnxruntime-node and models layers, every function that loads
 * models, and the retrain job with its schedule. The layers live here, next to all their users,
 * because a layer version ARN exported to another stack could never change (CloudFormation
 * refuses to update an export that is in use).
 */
export class MlStack extends Stack {
  readonly runtimeLayer: LayerVersion;
  readonly modelsLayer: LayerVersion;
  /** Name under which retrain publishes new models layer versions. */
  readonly modelsLayerName: string;
  /** The Step Functions retrain for data past one function (absent when its function is not deployed). */
  distributedRetrain?: RetrainStateMachine;

  constructor(scope: Construct, id: string, props: MlStackProps) {
    super(scope, id, props);
    this.runtimeLayer = new LayerVersion(this, 'OnnxRuntimeLayer', {
      code: Code.fromAsset(layerPaths.runtime),
      compatibleArchitectures: [LAMBDA_ARCHITECTURE],
      compatibleRuntimes: [LAMBDA_RUNTIME],
      description: `onnxruntime-node with only its linux/${LAMBDA_ARCHITECTURE.name} binaries`,
    });
    this.modelsLayerName = `marquee-${props.settings.stage}-models`;
    this.modelsLayer = new LayerVersion(this, 'ModelsLayer', {
      layerVersionName: this.modelsLayerName,
      code: Code.fromAsset(layerPaths.models),
      compatibleArchitectures: [LAMBDA_ARCHITECTURE],
      compatibleRuntimes: [LAMBDA_RUNTIME],
      description: 'Baseline model artifacts, unpacked to /opt/models',
    });

    const created = createDeclaredFunctions(
      this,
      'ml',
      { ...props, modelLayers: { runtime: this.runtimeLayer, models: this.modelsLayer } },
      props.functions,
    );
    const retrain = created.find((fn) => fn.declaration.id === RETRAIN_FUNCTION_ID);
    if (retrain) {
      const serving = created.filter((fn) => fn !== retrain && fn.declaration.usesModels);
      this.grantModelPublishing(retrain, serving);
      this.retrainAfterDeploy(retrain, serving);
    }
    const shard = created.find((fn) => fn.declaration.id === RETRAIN_SHARD_FUNCTION_ID);
    if (shard) {
      this.distributedRetrain = new RetrainStateMachine(this, 'DistributedRetrain', {
        shardFunction: shard,
        logRetentionDays: props.settings.logRetentionDays,
      });
      this.grantEventsExport(shard, props.resources);
      if (retrain) {
        // Above RETRAIN_DISTRIBUTED_ABOVE_EVENTS the scheduled retrain starts this machine; it may
        // start executions of this machine and nothing else.
        const { machine } = this.distributedRetrain;
        retrain.addEnvironment('RETRAIN_STATE_MACHINE_ARN', machine.stateMachineArn);
        machine.grantStartExecution(retrain);
      }
    }
    // Only this stack's machine: other state machines in the account must not end a retrain's lease.
    const machineArn = this.distributedRetrain?.machine.stateMachineArn;
    wireDeclaredEvents(
      this,
      props.functions,
      props.resources,
      machineArn ? { 'aws.states': { stateMachineArn: [machineArn] } } : {},
    );
  }

  /**
   * The export snapshot: the shard function exports the events table (its PITR is on) into the
   * models bucket under `runs/<runId>/export/` and follows the export. Only those calls, on that
   * table and that prefix: DynamoDB writes the files with the caller's permissions.
   */
  private grantEventsExport(shard: MarqueeFunction, resources: DeclaredResources): void {
    shard.addEnvironment('RETRAIN_EXPORT_MODE', 'dynamodb');
    const events = resources.tableFor(this, 'events');
    const models = resources.bucketFor(this, 'models');
    shard.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:ExportTableToPointInTime'],
        resources: [events.tableArn],
      }),
    );
    const exports = `${events.tableArn}/export/*`;
    shard.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:DescribeExport'],
        resources: [exports],
      }),
    );
    const exportObjects = models.arnForObjects(EXPORT_OBJECTS);
    shard.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:PutObjectAcl'],
        resources: [exportObjects],
      }),
    );
    acknowledgeWildcardResource(
      shard.executionRole,
      exports,
      'Export ARNs are generated by DynamoDB per export; only exports of the events table.',
    );
    acknowledgeWildcardResource(
      shard.executionRole,
      exportObjects,
      "The export's file names are chosen by DynamoDB; only under the runs' export prefixes of the models bucket.",
    );
  }

  /**
   * A new model goes live by publishing a models layer version and pointing the serving functions
   * at it (replacing only the models layer in their layer list). Retrain gets exactly the calls
   * that needs, on exactly those functions; they live in this stack, so nothing points back.
   */
  private grantModelPublishing(retrain: MarqueeFunction, serving: MarqueeFunction[]): void {
    const modelsLayerArn = this.formatArn({
      service: 'lambda',
      resource: 'layer',
      resourceName: this.modelsLayerName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const modelsLayerVersions = `${modelsLayerArn}:*`;
    retrain.addEnvironment(
      'MODEL_SERVING_FUNCTIONS',
      Fn.join(
        ',',
        serving.map((fn) => fn.functionName),
      ),
    );
    retrain.addEnvironment('MODELS_LAYER_NAME', this.modelsLayerName);
    // The versions retrain publishes declare the platform of the one the stack created.
    retrain.addEnvironment('MODELS_LAYER_ARCHITECTURE', LAMBDA_ARCHITECTURE.name);
    retrain.addEnvironment('MODELS_LAYER_RUNTIME', LAMBDA_RUNTIME.name);
    retrain.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['lambda:PublishLayerVersion', 'lambda:ListLayerVersions'],
        resources: [modelsLayerArn],
      }),
    );
    // UpdateFunctionConfiguration checks GetLayerVersion on every layer in the new list.
    retrain.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['lambda:GetLayerVersion'],
        resources: [modelsLayerVersions, this.runtimeLayer.layerVersionArn],
      }),
    );
    // Old models layer versions are deleted after a publish (only this layer's).
    retrain.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['lambda:DeleteLayerVersion'],
        resources: [modelsLayerVersions],
      }),
    );
    if (serving.length > 0) {
      // $LATEST gets the new layer and is published as a version; the `live` alias moves to it.
      retrain.addToRolePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['lambda:GetFunctionConfiguration', 'lambda:PublishVersion', 'lambda:UpdateAlias'],
          resources: serving.map((fn) => fn.functionArn),
        }),
      );
      // The configuration update may only list our two layers (IAM has no key for the other
      // fields of UpdateFunctionConfiguration; lambda:Layer is the one it offers).
      retrain.addToRolePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['lambda:UpdateFunctionConfiguration'],
          resources: serving.map((fn) => fn.functionArn),
          conditions: {
            'ForAllValues:StringLike': {
              'lambda:Layer': [modelsLayerVersions, this.runtimeLayer.layerVersionArn],
            },
          },
        }),
      );
      retrain.addToRolePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['lambda:GetFunctionConfiguration', 'lambda:UpdateAlias'],
          resources: serving.map((fn) => fn.live.functionArn),
        }),
      );
      // Waiting for a published version to turn Active reads that version's configuration.
      for (const fn of serving) {
        const versions = `${fn.functionArn}:*`;
        retrain.addToRolePolicy(
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: ['lambda:GetFunctionConfiguration'],
            resources: [versions],
          }),
        );
        acknowledgeWildcardResource(
          retrain.executionRole,
          versions,
          `Retrain reads the state of the ${fn.declaration.id} versions it publishes (read only); their numbers are assigned at publication.`,
        );
      }
    }
    acknowledgeWildcardResource(
      retrain.executionRole,
      modelsLayerVersions,
      'Retrain reads back, and deletes old, versions of the models layer it publishes; their numbers are assigned at publication.',
    );
  }

  /**
   * After every deploy that changes a serving function (a new version, so the `live` alias is back
   * on the baseline models layer built from layers/models/build/), retrain runs with reason
   * `deploy`: it re-attaches the accepted models layer and moves the aliases again, or, before any
   * model exists, trains the first ones (the fallback answers meanwhile). Invoked asynchronously:
   * the deploy does not wait for a training run. The payload names the serving versions, so the
   * custom resource updates (and invokes) exactly when one of them changed.
   */
  private retrainAfterDeploy(retrain: MarqueeFunction, serving: MarqueeFunction[]): void {
    const invoke = {
      service: 'Lambda',
      action: 'invoke',
      parameters: {
        FunctionName: retrain.live.functionArn,
        InvocationType: 'Event',
        Payload: Stack.of(this).toJsonString({
          'detail-type': 'Deployment',
          source: 'marquee.deploy',
          detail: {
            reason: DEPLOY_REASON,
            servingVersions: serving.map((fn) => fn.currentVersion.version),
          },
        }),
      },
      physicalResourceId: PhysicalResourceId.of('retrain-after-deploy'),
    };
    const trigger = new AwsCustomResource(this, 'RetrainAfterDeploy', {
      onCreate: invoke,
      onUpdate: invoke,
      installLatestAwsSdk: false,
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['lambda:InvokeFunction'],
          resources: [retrain.live.functionArn],
        }),
      ]),
    });
    trigger.node.addDependency(retrain.live, ...serving.map((fn) => fn.live));
    acknowledgeCustomResourceProvider(this);
  }
}
