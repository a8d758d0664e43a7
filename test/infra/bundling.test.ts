import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buckets, type FunctionId, functions, type settings, tables } from '#platform/declaration.ts';
import { MarqueeFunction } from '#infra/constructs/marquee-function.ts';
import { concernOfFunction } from '#infra/placement.ts';
import { readSettings } from '#infra/settings.ts';
import { logicalIdOf, repoRoot, type SynthesizedMarquee, synthesizeMarquee } from './synthesize-marquee.ts';

let marquee: SynthesizedMarquee;
let fixtureBundle: string;
let fixtureDir: string;

beforeAll(() => {
  marquee = synthesizeMarquee({ bundle: true });
  // A function whose entry imports onnxruntime-node and the AWS SDK, built by the same construct.
  fixtureDir = fs.mkdtempSync(path.join(os.tmpdir(), 'marquee-bundling-'));
  const cdkJson = JSON.parse(fs.readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8'));
  const app = new App({
    outdir: fixtureDir,
    context: cdkJson.context,
    builtinCloudFormationValidation: false,
  });
  const stack = new Stack(app, 'BundlingFixture');
  const fn = new MarqueeFunction(stack, {
    declaration: {
      id: 'fixture',
      entry: 'test/infra/fixtures/uses-onnx-and-sdk.ts',
      description: 'bundling fixture',
      memoryMb: 128,
      timeoutSec: 3,
      reservedConcurrency: 1,
      tables: {},
      buckets: {},
    },
    settings: readSettings(app.node),
  });
  const assembly = app.synth();
  const properties = Template.fromJSON(assembly.getStackByName('BundlingFixture').template).toJSON()
    .Resources[logicalIdOf(fn)].Properties;
  fixtureBundle = fs.readFileSync(
    path.join(assetDir(assembly.directory, properties.Code.S3Key), 'index.js'),
    'utf8',
  );
});

afterAll(() => {
  marquee?.cleanup();
  if (fixtureDir) fs.rmSync(fixtureDir, { recursive: true, force: true });
});

/** The staged asset folder behind a Lambda `Code.S3Key` (`<hash>.zip`). */
const assetDir = (outdir: string, s3Key: string): string =>
  path.join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);

/** The asset folder of a declared function in the synthesized Marquee. */
function assetOf(id: FunctionId): { dir: string; handler: string } {
  const properties =
    marquee.templates[concernOfFunction(id)].toJSON().Resources[logicalIdOf(marquee.functions[id]!)]
      .Properties;
  return { dir: assetDir(marquee.assembly.directory, properties.Code.S3Key), handler: properties.Handler };
}

describe('function bundles', () => {
  it('builds every declared handler into a CommonJS bundle that exports handler and links its source map', () => {
    for (const id of Object.keys(functions) as FunctionId[]) {
      const { dir, handler } = assetOf(id);
      expect(handler, id).toBe('index.handler');
      const bundle = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
      // Booleans, not toContain: a failure must not print a megabyte of minified bundle.
      expect(/module\.exports\s*=/.test(bundle), `${id} is CommonJS`).toBe(true);
      expect(/\bhandler:\s*\(\)\s*=>/.test(bundle), `${id} exports handler`).toBe(true);
      expect(bundle.trimEnd().endsWith('//# sourceMappingURL=index.js.map'), `${id} links its map`).toBe(
        true,
      );
      expect(
        JSON.parse(fs.readFileSync(path.join(dir, 'index.js.map'), 'utf8')).sources.length,
      ).toBeGreaterThan(0);
    }
  });

  it('loads every bundle with require, as the Lambda runtime does, to a handler function', () => {
    const dirs = (Object.keys(functions) as FunctionId[]).map((id) => assetOf(id).dir);
    const names = Object.fromEntries(
      [...Object.values(tables), ...Object.values(buckets)].map((x) => [x.env, `fixture-${x.env}`]),
    );
    // Module initialisation may start requests (the model prefetch): nothing listens on port 9.
    const script = `console.log(JSON.stringify(${JSON.stringify(dirs)}.map((d) => typeof require(d + '/index.js').handler))); process.exit(0);`;
    const stdout = execFileSync(process.execPath, ['-e', script], {
      env: {
        ...names,
        PATH: process.env.PATH ?? '',
        // Lambda's NODE_PATH reaches the runtime layer's /opt/nodejs/node_modules (onnxruntime-node).
        NODE_PATH: path.join(repoRoot, 'node_modules'),
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
        MEDIACONVERT_QUEUE_ARN: 'Default',
        MEDIACONVERT_ROLE_ARN: 'arn:aws:iam::000000000000:role/fixture',
        PLAYBACK_BASE_URL: 'https://d111111abcdef8.cloudfront.net',
        PLAYBACK_SIGNING_KEY_SECRET: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:fixture',
        RECOMMENDATION_ID_KEY_SECRET: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:ids',
        MODELS_DIR: path.join(fixtureDir, 'no-models-layer'),
        MODELS_CACHE_DIR: path.join(fixtureDir, 'models-cache'),
      },
      encoding: 'utf8',
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual(dirs.map(() => 'function'));
  });

  it('reads exactly the settings each function declares: what its bundle holds is what the stacks set or default', () => {
    for (const id of Object.keys(functions) as FunctionId[]) {
      // The bundle's own sources (its source map lists them), scanned for the settings they read.
      const { sources } = JSON.parse(fs.readFileSync(path.join(assetOf(id).dir, 'index.js.map'), 'utf8')) as {
        sources: string[];
      };
      const ours = sources
        .map((source) => /(?:^|\/)((?:functions|local|infra)\/.+\.ts)$/.exec(source)?.[1])
        .filter((file): file is string => file !== undefined);
      expect(ours.length, id).toBeGreaterThan(0);
      const read = new Set(
        ours.flatMap((file) =>
          [...fs.readFileSync(path.join(repoRoot, file), 'utf8').matchAll(/readSetting\('(\w+)'\)/g)].map(
            (m) => m[1],
          ),
        ),
      );
      const declared = (functions[id] as { settings?: readonly (keyof typeof settings)[] }).settings ?? [];
      expect([...read].sort(), id).toEqual([...declared].sort());
    }
  });

  it('leaves onnxruntime-node to the runtime layer and bundles the AWS SDK', () => {
    expect(/require\("onnxruntime-node"\)/.test(fixtureBundle)).toBe(true);
    // Not preceded by '[': the SDK's own error text quotes `[require("@aws-sdk/signature-v4-crt");]`.
    expect(/(?<!\[)require\("@aws-sdk\//.test(fixtureBundle)).toBe(false);
    expect(fixtureBundle.includes('S3Client')).toBe(true);
  });
});
