import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FunctionId, functions } from '#platform/declaration.ts';
import { MarqueeFunction } from '#infra/constructs/marquee-function.ts';
import { concernOfFunction } from '#infra/placement.ts';
import { readSettings } from '#infra/settings.ts';
import { logicalIdOf, repoRoot, type SynthesizedMarquee, synthesizeMarquee } from './synthesize-marquee.ts';

const BANNER = "import{createRequire}from'module';const require=createRequire(import.meta.url);";

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
      tables: {},
      buckets: {},
    },
    settings: readSettings(app.node),
  });
  const assembly = app.synth();
  const properties = Template.fromJSON(assembly.getStackByName('BundlingFixture').template).toJSON()
    .Resources[logicalIdOf(fn)].Properties;
  fixtureBundle = fs.readFileSync(
    path.join(assetDir(assembly.directory, properties.Code.S3Key), 'index.mjs'),
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

describe('function bundles', () => {
  it('builds every declared handler into an ESM bundle that opens with the createRequire banner and has a source map', () => {
    for (const id of Object.keys(functions) as FunctionId[]) {
      const template = marquee.templates[concernOfFunction(id)];
      const properties = template.toJSON().Resources[logicalIdOf(marquee.functions[id]!)].Properties;
      expect(properties.Handler).toBe('index.handler');
      const dir = assetDir(marquee.assembly.directory, properties.Code.S3Key);
      const bundle = fs.readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      expect(bundle.startsWith(BANNER), id).toBe(true);
      // Booleans, not toContain: a failure must not print a megabyte of minified bundle.
      expect(/export\s*\{[^}]*\bhandler\b/.test(bundle), `${id} exports handler`).toBe(true);
      expect(bundle.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map'), `${id} links its map`).toBe(
        true,
      );
      expect(
        JSON.parse(fs.readFileSync(path.join(dir, 'index.mjs.map'), 'utf8')).sources.length,
      ).toBeGreaterThan(0);
    }
  });

  it('leaves onnxruntime-node to the runtime layer and bundles the AWS SDK', () => {
    expect(/from\s*"onnxruntime-node"/.test(fixtureBundle)).toBe(true);
    expect(/from\s*"@aws-sdk\//.test(fixtureBundle)).toBe(false);
    expect(fixtureBundle.includes('S3Client')).toBe(true);
  });
});
