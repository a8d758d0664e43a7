import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Policy } from 'aws-cdk-lib/aws-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BucketId,
  buckets,
  eventRules,
  fallbackFunction,
  type FunctionDeclaration,
  type FunctionId,
  functions,
  routeKey,
  routes,
  schedules,
  s3Triggers,
  settings,
  tables,
} from '#platform/declaration.ts';
import { concernOfBucket, concernOfFunction, stackOrder } from '#infra/placement.ts';
import { readSettings } from '#infra/settings.ts';
import { layerPaths, VMAF_MODEL } from '../../layers/build.ts';
import {
  actionsOf,
  logicalIdOf,
  repoRoot,
  type SynthesizedMarquee,
  statementsOfRole,
  synthesizeMarquee,
} from './synthesize-marquee.ts';

// Distinct from cdk.json's placeholders, to prove the API reads them from context.
const context = {
  jwtIssuer: 'https://auth.test.example/realms/marquee',
  jwtAudience: 'web-client, cli-client',
  apiRateLimit: 123,
  apiBurstLimit: 456,
  apiCorsOrigins: 'https://watch.example.com, https://tv.example.com',
  uploadOrigins: 'https://studio.example.com',
};

/** cdk.json's context, as a deploy without `-c` reads it. */
const cdkContext = (): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')).context;

let marquee: SynthesizedMarquee;
beforeAll(() => {
  marquee = synthesizeMarquee({ context });
});
afterAll(() => marquee?.cleanup());

const functionIds = Object.keys(functions) as FunctionId[];

/** The synthesized AWS::Lambda::Function properties of a declared function. */
function lambdaProperties(id: FunctionId) {
  const fn = marquee.functions[id]!;
  const template = marquee.templates[concernOfFunction(id)];
  return template.toJSON().Resources[logicalIdOf(fn)].Properties;
}

describe('data', () => {
  it('creates every declared table on demand, with point-in-time recovery, encryption and its declared keys', () => {
    const template = marquee.templates.data;
    for (const declaration of Object.values(tables)) {
      const table = template.toJSON().Resources[logicalIdOf(marquee.resources.declaredTable(declaration.id))];
      const properties = table.Properties;
      expect(properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(properties.SSESpecification.SSEEnabled).toBe(true);
      expect(table.DeletionPolicy).toBe('Retain');
      const keys: { AttributeName: string; KeyType: string }[] = [
        { AttributeName: declaration.partitionKey.name, KeyType: 'HASH' },
      ];
      if ('sortKey' in declaration) keys.push({ AttributeName: declaration.sortKey.name, KeyType: 'RANGE' });
      expect(properties.KeySchema).toEqual(keys);
      if ('ttlAttribute' in declaration) {
        expect(properties.TimeToLiveSpecification).toEqual({
          AttributeName: declaration.ttlAttribute,
          Enabled: true,
        });
      } else {
        expect(properties.TimeToLiveSpecification).toBeUndefined();
      }
    }
  });

  it('creates exactly the declared global and local secondary indexes with their keys', () => {
    for (const declaration of Object.values(tables)) {
      const properties =
        marquee.templates.data.toJSON().Resources[
          logicalIdOf(marquee.resources.declaredTable(declaration.id))
        ].Properties;
      const globals = 'globalIndexes' in declaration ? declaration.globalIndexes : [];
      const locals = 'localIndexes' in declaration ? declaration.localIndexes : [];
      expect(
        (properties.GlobalSecondaryIndexes ?? []).map((index: { IndexName: string }) => index.IndexName),
      ).toEqual(globals.map((index) => index.name));
      for (const index of globals) {
        const synthesized = properties.GlobalSecondaryIndexes.find(
          (g: { IndexName: string }) => g.IndexName === index.name,
        );
        expect(synthesized.KeySchema[0]).toEqual({ AttributeName: index.partitionKey.name, KeyType: 'HASH' });
        if ('sortKey' in index)
          expect(synthesized.KeySchema[1]).toEqual({ AttributeName: index.sortKey.name, KeyType: 'RANGE' });
      }
      expect(
        (properties.LocalSecondaryIndexes ?? []).map((index: { IndexName: string }) => index.IndexName),
      ).toEqual(locals.map((index) => index.name));
      for (const index of locals) {
        const synthesized = properties.LocalSecondaryIndexes.find(
          (l: { IndexName: string }) => l.IndexName === index.name,
        );
        expect(synthesized.KeySchema).toEqual([
          { AttributeName: declaration.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ]);
      }
    }
  });

  it('makes every declared bucket private, TLS-only, encrypted, access-logged and expiring as declared', () => {
    for (const bucketId of Object.keys(buckets) as BucketId[]) {
      const declaration = buckets[bucketId];
      const template = marquee.templates[concernOfBucket(bucketId)];
      const logicalId = logicalIdOf(marquee.resources.declaredBucket(bucketId));
      const properties = template.toJSON().Resources[logicalId].Properties;
      expect(properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(
        properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault,
      ).toEqual({
        SSEAlgorithm: 'AES256',
      });
      expect(properties.LoggingConfiguration.LogFilePrefix).toBe(`${bucketId}/`);
      expect(properties.LoggingConfiguration.DestinationBucketName).toBeDefined();
      const expiries = properties.LifecycleConfiguration.Rules.filter(
        (rule: { ExpirationInDays?: number }) => rule.ExpirationInDays,
      ).map((rule: { Prefix?: string; ExpirationInDays: number }) => ({
        prefix: rule.Prefix ?? '',
        days: rule.ExpirationInDays,
      }));
      expect(expiries).toEqual('expireAfterDays' in declaration ? declaration.expireAfterDays : []);
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logicalId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('versions the buckets that declare it and expires their replaced objects, and no other', () => {
    for (const bucketId of Object.keys(buckets) as BucketId[]) {
      const declaration = buckets[bucketId];
      const properties =
        marquee.templates[concernOfBucket(bucketId)].toJSON().Resources[
          logicalIdOf(marquee.resources.declaredBucket(bucketId))
        ].Properties;
      const noncurrent = properties.LifecycleConfiguration.Rules.filter(
        (rule: { NoncurrentVersionExpiration?: unknown }) => rule.NoncurrentVersionExpiration,
      );
      if ('keepNoncurrentDays' in declaration) {
        expect(properties.VersioningConfiguration, bucketId).toEqual({ Status: 'Enabled' });
        expect(noncurrent[0].NoncurrentVersionExpiration.NoncurrentDays).toBe(declaration.keepNoncurrentDays);
      } else {
        expect(properties.VersioningConfiguration, bucketId).toBeUndefined();
        expect(noncurrent).toEqual([]);
      }
    }
    expect(
      Object.values(buckets)
        .filter((b) => 'keepNoncurrentDays' in b)
        .map((b) => b.id)
        .sort(),
    ).toEqual(['media', 'models']);
  });

  it('lets browsers POST (presigned forms) to the presigned-upload bucket only, and no other bucket has CORS', () => {
    for (const bucketId of Object.keys(buckets) as BucketId[]) {
      const properties =
        marquee.templates[concernOfBucket(bucketId)].toJSON().Resources[
          logicalIdOf(marquee.resources.declaredBucket(bucketId))
        ].Properties;
      if ('presignedUploads' in buckets[bucketId]) {
        expect(properties.CorsConfiguration.CorsRules).toEqual([
          expect.objectContaining({
            AllowedMethods: ['POST'],
            AllowedOrigins: ['https://studio.example.com'],
          }),
        ]);
      } else {
        expect(properties.CorsConfiguration).toBeUndefined();
      }
    }
  });
});

describe('api', () => {
  it('exposes every declared route once, behind the JWT authorizer and the scope the declaration names', () => {
    const template = marquee.templates.api;
    const synthesized = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties,
    );
    expect(synthesized.map((route) => route.RouteKey).sort()).toEqual(
      [...routes.map(routeKey), '$default'].sort(),
    );
    const fallback = synthesized.find((candidate) => candidate.RouteKey === '$default')!;
    const fallbackIntegration = fallback.Target['Fn::Join'][1][1].Ref;
    expect(
      JSON.stringify(template.toJSON().Resources[fallbackIntegration].Properties.IntegrationUri),
    ).toContain(logicalIdOf(marquee.functions[fallbackFunction]!.live));
    const [authorizerId] = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'));
    for (const route of routes) {
      const properties = synthesized.find((candidate) => candidate.RouteKey === routeKey(route))!;
      expect(properties.AuthorizationType).toBe('JWT');
      expect(properties.AuthorizerId).toEqual({ Ref: authorizerId });
      // Service scopes nest (admin > write > read); end users get in with `self` where declared.
      const nested = { read: ['read', 'write', 'admin'], write: ['write', 'admin'], admin: ['admin'] }[
        route.scope
      ];
      expect(properties.AuthorizationScopes).toEqual(
        [...nested, ...(route.endUser ? ['self'] : [])].map((scope) => `marquee/${scope}`),
      );
      const integrationId = properties.Target['Fn::Join'][1][1].Ref;
      const uri = JSON.stringify(template.toJSON().Resources[integrationId].Properties.IntegrationUri);
      // The API invokes the `live` alias retrain moves, not $LATEST.
      expect(uri).toContain(logicalIdOf(marquee.functions[route.function]!.live));
    }
  });

  it('takes the JWT issuer and audiences from CDK context', () => {
    marquee.templates.api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: context.jwtIssuer, Audience: ['web-client', 'cli-client'] },
    });
  });

  it('writes one JSON access-log line per request from the auto-deployed default stage', () => {
    const template = marquee.templates.api;
    const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
    expect(stage.Properties.StageName).toBe('$default');
    expect(stage.Properties.AutoDeploy).toBe(true);
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey' });
    const logGroupId = stage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    expect(template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(30);
  });

  it('throttles every route of the default stage at the rate and burst given in context', () => {
    const [stage] = Object.values(marquee.templates.api.findResources('AWS::ApiGatewayV2::Stage'));
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: 123,
      ThrottlingBurstLimit: 456,
    });
  });

  it('answers CORS preflights for the origins in context only, with the methods the routes use', () => {
    const [api] = Object.values(marquee.templates.api.findResources('AWS::ApiGatewayV2::Api'));
    expect(api.Properties.CorsConfiguration).toMatchObject({
      AllowOrigins: ['https://watch.example.com', 'https://tv.example.com'],
      AllowHeaders: ['authorization', 'content-type'],
    });
    expect([...api.Properties.CorsConfiguration.AllowMethods].sort()).toEqual([
      'DELETE',
      'GET',
      'POST',
      'PUT',
    ]);
    // cdk.json's default: server-side callers only, no CORS.
    expect(readSettings(new App({ context: cdkContext() }).node).apiCorsOrigins).toEqual([]);
    expect(readSettings(new App({ context: cdkContext() }).node).uploadOrigins).toEqual([]);
  });

  it('refuses "*" as an origin and the placeholder issuer outside the dev stage', () => {
    const settings = (overrides: Record<string, unknown>) =>
      readSettings(new App({ context: { ...cdkContext(), ...overrides } }).node);

    expect(() => settings({ uploadOrigins: '*' })).toThrow(/"\*" would let any website/);
    expect(() => settings({ apiCorsOrigins: 'https://a.example.org, *' })).toThrow(/"\*"/);
    expect(() => settings({ marqueeStage: 'prod' })).toThrow(/"jwtIssuer" is the placeholder/);
    expect(
      settings({ marqueeStage: 'prod', jwtIssuer: 'https://cognito-idp.eu-west-1.amazonaws.com/pool' }).stage,
    ).toBe('prod');
    expect(settings({}).jwtIssuer).toBe('https://issuer.example.com/');
  });

  it('limits the routes that cost most below the stage, as the declaration says', () => {
    const [stage] = Object.values(marquee.templates.api.findResources('AWS::ApiGatewayV2::Stage'));
    const throttled = routes.filter((route) => route.throttle);
    expect(throttled.map((route) => route.operation).sort()).toEqual([
      'createUpload',
      'eraseUser',
      'rollbackModel',
    ]);
    for (const route of throttled)
      expect(stage.Properties.RouteSettings[routeKey(route)]).toEqual({
        ThrottlingRateLimit: route.throttle!.rate,
        ThrottlingBurstLimit: route.throttle!.burst,
      });
    expect(Object.keys(stage.Properties.RouteSettings)).toHaveLength(throttled.length);
  });

  it('refuses a throttle that is not a positive whole number, naming the key', () => {
    const app = new App({ context: { ...cdkContext(), apiRateLimit: '0' } });
    expect(() => readSettings(app.node)).toThrow(/"apiRateLimit" must be a positive integer, got 0/);
    const burst = new App({ context: { ...cdkContext(), apiBurstLimit: 'lots' } });
    expect(() => readSettings(burst.node)).toThrow(/"apiBurstLimit" must be a positive integer/);
  });
});

describe('functions', () => {
  it('runs every function on Node 22 and arm64 without X-Ray and with the declared memory and timeout', () => {
    for (const id of functionIds) {
      const properties = lambdaProperties(id);
      expect(properties.Runtime).toBe('nodejs22.x');
      expect(properties.Architectures).toEqual(['arm64']);
      // Absent: Lambda's default, PassThrough (no X-Ray segments of its own).
      expect(properties.TracingConfig).toBeUndefined();
      expect(properties.ReservedConcurrentExecutions, id).toBe(functions[id].reservedConcurrency);
      expect(properties.MemorySize).toBe(functions[id].memoryMb);
      expect(properties.Timeout).toBe(functions[id].timeoutSec);
      // Absent: Lambda's default 512 MB of /tmp.
      expect(properties.EphemeralStorage?.Size, id).toBe((functions[id] as FunctionDeclaration).tmpMb);
      const logGroupId = properties.LoggingConfig.LogGroup.Ref;
      const logGroup = marquee.templates[concernOfFunction(id)].toJSON().Resources[logGroupId];
      expect(logGroup.Properties.RetentionInDays).toBe(30);
    }
  });

  it('maps stacks through source maps at load only in functions that serve no HTTP route (a cold start a caller waits for skips parsing the map)', () => {
    const served = new Set(routes.map((route) => route.function));
    expect(served.size).toBeGreaterThan(0);
    expect(functionIds.length).toBeGreaterThan(served.size);
    for (const id of functionIds) {
      const nodeOptions = lambdaProperties(id).Environment.Variables.NODE_OPTIONS;
      expect(nodeOptions, id).toBe(served.has(id) ? undefined : '--enable-source-maps');
    }
  });

  it('gives every function the stage, its service name and exactly the variables of what it declares', () => {
    const shared = ['MARQUEE_STAGE', 'POWERTOOLS_SERVICE_NAME', 'NODE_OPTIONS'];
    for (const id of functionIds) {
      const declaration: FunctionDeclaration = functions[id];
      const variables = lambdaProperties(id).Environment.Variables;
      expect(variables.MARQUEE_STAGE).toBe('dev');
      expect(variables.POWERTOOLS_SERVICE_NAME).toBe(`marquee-${id}`);
      const bindings: string[] = [
        ...Object.keys(declaration.tables).map((t) => tables[t as keyof typeof tables].env),
        ...Object.keys(declaration.buckets).map((b) => buckets[b as BucketId].env),
      ];
      const read = (declaration.settings ?? []).map((setting) => settings[setting]);
      // Set by the stacks: each deploy-time and infrastructure setting the function reads...
      const expected = read.filter((s) => 'context' in s || 'fromStack' in s).map((s) => s.env);
      for (const name of [...bindings, ...expected]) expect(variables[name], `${id} ${name}`).toBeDefined();
      // ...and nothing it does not read.
      const extra = Object.keys(variables).filter(
        (name) => !shared.includes(name) && !bindings.includes(name) && !read.some((s) => s.env === name),
      );
      expect(extra, id).toEqual([]);
    }
    // A deploy-time setting reaches AWS: the events TTL, from cdk.json.
    expect(lambdaProperties('catalog').Environment.Variables.EVENT_RETENTION_DAYS).toBe('365');
  });

  it('gives model-serving functions the runtime and models layers, and MODELS_DIR to those that read it', () => {
    for (const id of functionIds) {
      const properties = lambdaProperties(id);
      const declaration: FunctionDeclaration = functions[id];
      const layers = (declaration.usesModels ? 2 : 0) + (declaration.usesFfmpeg ? 1 : 0);
      if (layers > 0) expect(properties.Layers, id).toHaveLength(layers);
      else expect(properties.Layers).toBeUndefined();
      expect(properties.Environment.Variables.MODELS_DIR, id).toBe(
        declaration.settings?.includes('MODELS_DIR') ? '/opt/models' : undefined,
      );
    }
    expect(lambdaProperties('recommendations').Environment.Variables.MODELS_DIR).toBe('/opt/models');
  });
});

describe('layers', () => {
  it('gives the functions that measure videos the ffmpeg layer: a static arm64 ffmpeg at bin/ffmpeg', () => {
    const users = functionIds.filter((id) => (functions[id] as FunctionDeclaration).usesFfmpeg);
    expect(users).toEqual(expect.arrayContaining(['ingest', 'smartCrop']));
    marquee.templates.media.hasResourceProperties('AWS::Lambda::LayerVersion', {
      CompatibleArchitectures: ['arm64'],
      Description: Match.stringLikeRegexp('ffmpeg.*/opt/bin/ffmpeg'),
    });
    for (const id of users) {
      expect(lambdaProperties(id).Environment.Variables.FFMPEG_PATH ?? '/opt/bin/ffmpeg', id).toBe(
        '/opt/bin/ffmpeg',
      );
    }
    const binary = fs.readFileSync(path.join(layerPaths.ffmpeg, 'bin', 'ffmpeg'));
    // An ELF executable for aarch64 (e_machine 183), executable by its owner.
    expect(binary.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(binary.readUInt16LE(18)).toBe(183);
    expect(fs.statSync(path.join(layerPaths.ffmpeg, 'bin', 'ffmpeg')).mode & 0o100).toBe(0o100);
  });

  it('ships the pinned VMAF model in the ffmpeg layer where renditionQuality reads it by default', () => {
    const fn = lambdaProperties('renditionQuality');
    const [layerId] = Object.keys(
      marquee.templates.media.findResources('AWS::Lambda::LayerVersion', {
        Properties: { Description: Match.stringLikeRegexp('/opt/vmaf') },
      }),
    );
    expect(fn.Layers).toEqual([{ Ref: layerId }]);
    const modelPath = String(
      fn.Environment.Variables.MEDIA_VMAF_MODEL_PATH ?? settings.MEDIA_VMAF_MODEL_PATH.default,
    );
    // The layer unpacks to /opt: the setting names a file the layer folder holds, byte for byte the pinned one.
    expect(modelPath).toBe('/opt/vmaf/vmaf_v0.6.1.pkl');
    for (const [name, pin] of Object.entries(VMAF_MODEL.files)) {
      const bytes = fs.readFileSync(path.join(layerPaths.ffmpeg, 'vmaf', name));
      expect(createHash('sha256').update(bytes).digest('hex'), name).toBe(pin.sha256);
    }
    expect(fs.existsSync(path.join(layerPaths.ffmpeg, modelPath.replace('/opt/', '')))).toBe(true);
  });

  it('runs renditionQuality on completed jobs only, reading S3 and writing only the assets table', () => {
    const rule = eventRules.find((r) => r.function === 'renditionQuality');
    expect(rule?.pattern).toMatchObject({ detail: { status: ['COMPLETE'] } });
    const statements = statementsOfRole(
      marquee.templates.media,
      logicalIdOf(marquee.functions.renditionQuality!.executionRole),
    );
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('s3:') && !/^s3:(Get|List)/.test(a))).toEqual([]);
    expect(actions.some((a) => a.startsWith('mediaconvert:'))).toBe(false);
  });

  it('packs onnxruntime-node with only its linux arm64 binaries, far below the 250 MB Lambda limit', () => {
    const ort = path.join(layerPaths.runtime, 'nodejs', 'node_modules', 'onnxruntime-node');
    expect(fs.readdirSync(path.join(ort, 'bin', 'napi-v6'))).toEqual(['linux']);
    expect(fs.readdirSync(path.join(ort, 'bin', 'napi-v6', 'linux'))).toEqual(['arm64']);
    expect(fs.existsSync(path.join(ort, 'dist', 'index.js'))).toBe(true);
    expect(
      fs.existsSync(
        path.join(layerPaths.runtime, 'nodejs', 'node_modules', 'onnxruntime-common', 'package.json'),
      ),
    ).toBe(true);
    const bytes = (dir: string): number =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .reduce(
          (sum, e) =>
            sum +
            (e.isDirectory() ? bytes(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size),
          0,
        );
    expect(bytes(layerPaths.runtime)).toBeLessThan(60e6);
  });

  it('publishes the models layer under a stable name that retrain is told', () => {
    const template = marquee.templates.ml;
    template.hasResourceProperties('AWS::Lambda::LayerVersion', {
      LayerName: 'marquee-dev-models',
      CompatibleArchitectures: ['arm64'],
    });
    const retrainEnv = lambdaProperties('retrain').Environment.Variables;
    expect(retrainEnv.MODELS_LAYER_NAME).toBe('marquee-dev-models');
    // What retrain's published versions declare: the platform of the functions they serve.
    expect([retrainEnv.MODELS_LAYER_ARCHITECTURE, retrainEnv.MODELS_LAYER_RUNTIME]).toEqual([
      lambdaProperties('recommendations').Architectures[0],
      lambdaProperties('recommendations').Runtime,
    ]);
    expect(fs.readdirSync(path.join(layerPaths.models, 'models')).length).toBeGreaterThan(0);
  });
});

describe('wiring', () => {
  it('notifies the declared function of every object created in a triggering bucket', () => {
    for (const trigger of s3Triggers) {
      const template = marquee.templates[concernOfBucket(trigger.bucket)];
      template.hasResourceProperties('Custom::S3BucketNotifications', {
        BucketName: { Ref: logicalIdOf(marquee.resources.declaredBucket(trigger.bucket)) },
        NotificationConfiguration: {
          LambdaFunctionConfigurations: [
            {
              Events: ['s3:ObjectCreated:*'],
              LambdaFunctionArn: { Ref: logicalIdOf(marquee.functions[trigger.function]!.live) },
            },
          ],
        },
      });
    }
  });

  it("routes MediaConvert job events of this stack's queue only", () => {
    const queueId = marquee.media.resolve(marquee.media.queue.logicalId);
    marquee.templates.media.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.mediaconvert'], detail: { queue: [{ 'Fn::GetAtt': [queueId, 'Arn'] }] } },
    });
  });

  it('routes each declared EventBridge pattern to its function', () => {
    for (const rule of eventRules) {
      marquee.templates[concernOfFunction(rule.function)].hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { source: rule.pattern.source, 'detail-type': rule.pattern['detail-type'] },
        Targets: [
          Match.objectLike({
            Arn: { Ref: logicalIdOf(marquee.functions[rule.function]!.live) },
          }),
        ],
      });
    }
  });

  it('runs each declared schedule with its detail inside an EventBridge envelope', () => {
    for (const schedule of schedules) {
      const template = marquee.templates[concernOfFunction(schedule.function)];
      const rules = Object.values(template.findResources('AWS::Events::Rule')).filter(
        (r) => r.Properties.ScheduleExpression === schedule.expression,
      );
      expect(rules).toHaveLength(1);
      const [target] = rules[0].Properties.Targets;
      expect(target.Arn).toEqual({
        Ref: logicalIdOf(marquee.functions[schedule.function]!.live),
      });
      const input = target.InputTransformer.InputTemplate as string;
      expect(input).toContain(`"detail":${JSON.stringify(schedule.detail)}`);
      expect(input).toContain('"detail-type":"Scheduled Event"');
    }
  });

  it('gives MediaConvert users the queue and role, job calls, and PassRole on that role only', () => {
    const template = marquee.templates.media;
    const roleId = logicalIdOf(marquee.media.mediaConvertRole);
    const queueId = marquee.media.resolve(marquee.media.queue.logicalId);
    expect(template.toJSON().Resources[queueId].Properties.PricingPlan).toBe('ON_DEMAND');
    for (const id of functionIds.filter((f) => 'usesMediaConvert' in functions[f])) {
      const variables = lambdaProperties(id).Environment.Variables;
      expect(variables.MEDIACONVERT_QUEUE_ARN).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
      expect(variables.MEDIACONVERT_ROLE_ARN).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
      const statements = statementsOfRole(template, logicalIdOf(marquee.functions[id]!.executionRole));
      const passRole = statements.filter((s) => actionsOf(s).includes('iam:PassRole'));
      expect(passRole.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [roleId, 'Arn'] }]);
      expect(passRole[0].Condition).toEqual({
        StringEquals: { 'iam:PassedToService': 'mediaconvert.amazonaws.com' },
      });
      const jobActions = statements.flatMap(actionsOf).filter((a) => a.startsWith('mediaconvert:'));
      expect(jobActions.sort()).toEqual(['mediaconvert:CreateJob', 'mediaconvert:Probe']);
    }
  });

  it("keeps Probe's wildcard in a policy of its own, acknowledged for Probe and not by the X-Ray reason", () => {
    const policies = marquee.media.node
      .findAll()
      .filter((c): c is Policy => c instanceof Policy)
      .filter((p) =>
        JSON.stringify(marquee.media.resolve(p.document.toJSON())).includes('mediaconvert:Probe'),
      );
    expect(policies.length).toBe(functionIds.filter((f) => 'usesMediaConvert' in functions[f]).length);
    for (const policy of policies) {
      const statements = marquee.media.resolve(policy.document.toJSON()).Statement;
      expect(statements).toEqual([{ Action: 'mediaconvert:Probe', Effect: 'Allow', Resource: '*' }]);
      const acknowledged = policy.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .map((m) => Object.values(m.data as Record<string, string>)[0]);
      expect(acknowledged).toEqual([expect.stringMatching(/^MediaConvert Probe supports no resource-level/)]);
    }
  });

  it('lets the MediaConvert role read uploads and write media, and nothing else', () => {
    const template = marquee.templates.media;
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'mediaconvert.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() } },
          }),
        ],
      },
    });
    const statements = statementsOfRole(template, logicalIdOf(marquee.media.mediaConvertRole));
    expect(statements.map((s) => actionsOf(s))).toEqual([['s3:GetObject'], ['s3:PutObject']]);
    expect(JSON.stringify(statements[0].Resource)).toContain(
      logicalIdOf(marquee.resources.declaredBucket('uploads')),
    );
    expect(JSON.stringify(statements[1].Resource)).toContain('bucket-media-arn');
  });

  it('lets retrain publish the models layer and reconfigure exactly the other model-serving functions', () => {
    const serving = functionIds.filter((id) => 'usesModels' in functions[id] && id !== 'retrain');
    const variables = lambdaProperties('retrain').Environment.Variables;
    expect(variables.MODEL_SERVING_FUNCTIONS).toEqual({
      'Fn::Join': [',', serving.map((id) => ({ Ref: logicalIdOf(marquee.functions[id]!) }))],
    });
    const statements = statementsOfRole(
      marquee.templates.ml,
      logicalIdOf(marquee.functions.retrain!.executionRole),
    );
    const lambdaStatements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')));
    const servingArns = serving.map((id) => ({ 'Fn::GetAtt': [logicalIdOf(marquee.functions[id]!), 'Arn'] }));
    const publishVersion = lambdaStatements.find((s) => actionsOf(s).includes('lambda:PublishVersion'))!;
    expect(actionsOf(publishVersion).sort()).toEqual([
      'lambda:GetFunctionConfiguration',
      'lambda:PublishVersion',
      'lambda:UpdateAlias',
    ]);
    expect(publishVersion.Resource).toHaveLength(serving.length);
    expect(publishVersion.Resource).toEqual(expect.arrayContaining(servingArns));
    // The configuration update is limited to listing our two layers.
    const update = lambdaStatements.find((s) => actionsOf(s).includes('lambda:UpdateFunctionConfiguration'))!;
    expect(actionsOf(update)).toEqual(['lambda:UpdateFunctionConfiguration']);
    expect(update.Resource).toEqual(expect.arrayContaining(servingArns));
    const allowedLayers = (update.Condition as Record<string, Record<string, unknown[]>>)[
      'ForAllValues:StringLike'
    ]['lambda:Layer'];
    expect(allowedLayers).toHaveLength(2);
    expect(JSON.stringify(allowedLayers)).toContain(':layer:marquee-dev-models:*"');
    expect(allowedLayers).toContainEqual({ Ref: logicalIdOf(marquee.ml.runtimeLayer) });
    // The alias moves only on the serving functions, and their versions are only read.
    const alias = lambdaStatements.find(
      (s) => actionsOf(s).includes('lambda:UpdateAlias') && !actionsOf(s).includes('lambda:PublishVersion'),
    )!;
    expect(actionsOf(alias).sort()).toEqual(['lambda:GetFunctionConfiguration', 'lambda:UpdateAlias']);
    expect(alias.Resource).toHaveLength(serving.length);
    expect(alias.Resource).toEqual(
      expect.arrayContaining(serving.map((id) => ({ Ref: logicalIdOf(marquee.functions[id]!.live) }))),
    );
    const versionReads = lambdaStatements.filter((s) => JSON.stringify(s.Resource).includes(':*'));
    const onlyLayerOrRead = (s: (typeof lambdaStatements)[number]) =>
      actionsOf(s).every((a) =>
        ['lambda:GetFunctionConfiguration', 'lambda:GetLayerVersion', 'lambda:DeleteLayerVersion'].includes(
          a,
        ),
      );
    for (const read of versionReads) expect(onlyLayerOrRead(read)).toBe(true);
    const publish = lambdaStatements.find((s) => actionsOf(s).includes('lambda:PublishLayerVersion'))!;
    expect(JSON.stringify(publish.Resource)).toContain(':layer:marquee-dev-models"');
    // UpdateFunctionConfiguration needs GetLayerVersion on every layer of the new list.
    const getLayer = lambdaStatements.find((s) => actionsOf(s).includes('lambda:GetLayerVersion'))!;
    expect(actionsOf(getLayer)).toEqual(['lambda:GetLayerVersion']);
    expect(getLayer.Resource).toHaveLength(2);
    expect(JSON.stringify(getLayer.Resource)).toContain(':layer:marquee-dev-models:*"');
    expect(getLayer.Resource).toContainEqual({ Ref: logicalIdOf(marquee.ml.runtimeLayer) });
  });

  it('publishes every function as a version behind a live alias, and retrains after a deploy changes serving', () => {
    for (const id of functionIds) {
      const fn = marquee.functions[id]!;
      const template = marquee.templates[concernOfFunction(id)];
      const alias = template.toJSON().Resources[logicalIdOf(fn.live)];
      expect(alias.Properties.Name).toBe('live');
      expect(alias.Properties.FunctionVersion).toEqual({
        'Fn::GetAtt': [logicalIdOf(fn.currentVersion), 'Version'],
      });
    }
    const [trigger] = Object.values(marquee.templates.ml.findResources('Custom::AWS'));
    const create = JSON.stringify(trigger.Properties.Create);
    expect(create).toContain('reason');
    expect(create).toContain('deploy');
    expect(create).toContain('Event');
    expect(create).toContain(logicalIdOf(marquee.functions.retrain!.live));
    for (const id of ['recommendations', 'profiles'] as const)
      expect(create).toContain(logicalIdOf(marquee.functions[id]!.currentVersion));
    expect(trigger.DependsOn).toEqual(
      expect.arrayContaining(
        (['recommendations', 'profiles'] as const).map((id) => logicalIdOf(marquee.functions[id]!.live)),
      ),
    );
  });

  it('expires the layer zips retrain uploads to the models bucket', () => {
    const bucket =
      marquee.templates.data.toJSON().Resources[logicalIdOf(marquee.resources.declaredBucket('models'))];
    expect(bucket.Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ Prefix: 'layers/', ExpirationInDays: 30, Status: 'Enabled' }),
    );
  });

  it('keeps stack dependencies in one direction: data, media, ml, api', () => {
    const order = stackOrder.map((concern) => marquee[concern].stackName);
    for (const [index, concern] of stackOrder.entries()) {
      const dependencies = marquee[concern].dependencies.map((stack) => stack.stackName);
      for (const dependency of dependencies) expect(order.indexOf(dependency)).toBeLessThan(index);
    }
    expect(marquee.api.dependencies.map((s) => s.stackName).sort()).toEqual(
      [marquee.data.stackName, marquee.media.stackName, marquee.ml.stackName].sort(),
    );
  });
});
