/**
 * Synthesizes the whole Marquee CDK app once, in-process, into a private temp folder, for one
 * test file's `beforeAll`. Context comes from cdk.json (the same the CLI reads) plus overrides.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { buildLayers, type LayerArchitecture } from '../../layers/build.ts';
import { LAMBDA_ARCHITECTURE } from '#infra/constructs/marquee-function.ts';
import { defineMarquee, type MarqueeStacks } from '#infra/marquee-app.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export type StackConcern = 'data' | 'media' | 'ml' | 'api';

export interface SynthesizedMarquee extends MarqueeStacks {
  app: App;
  assembly: CloudAssembly;
  templates: Record<StackConcern, Template>;
  /** Removes the temp folder (call from afterAll). */
  cleanup: () => void;
}

export interface SynthesizeOptions {
  /** Run esbuild for every function (slow); otherwise CDK skips bundling and stages a dummy asset. */
  bundle?: boolean;
  /** Extra CDK context, as `-c key=value` would give. */
  context?: Record<string, unknown>;
  /** Changes the stacks before synth (to prove a check fails). */
  beforeSynth?: (stacks: MarqueeStacks) => void;
}

/** Builds the layer folders and synthesizes every stack; templates are read from the assembly. */
export function synthesizeMarquee(options: SynthesizeOptions = {}): SynthesizedMarquee {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'marquee-infra-'));
  const previousTmp = process.env.TMPDIR;
  // CDK and its bundlers stage files under os.tmpdir(); keep them inside workDir.
  process.env.TMPDIR = workDir;
  try {
    buildLayers(LAMBDA_ARCHITECTURE.name as LayerArchitecture);
    const cdkJson = JSON.parse(fs.readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8'));
    const app = new App({
      outdir: path.join(workDir, 'cdk.out'),
      context: {
        ...cdkJson.context,
        ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
        ...options.context,
      },
      // The built-in CloudFormation schema validation costs ~13 s; `npm run synth` still runs it.
      builtinCloudFormationValidation: false,
    });
    const stacks = defineMarquee(app);
    options.beforeSynth?.(stacks);
    const assembly = app.synth();
    const templateOf = (stack: Stack) => Template.fromJSON(assembly.getStackByName(stack.stackName).template);
    return {
      ...stacks,
      app,
      assembly,
      templates: {
        data: templateOf(stacks.data),
        media: templateOf(stacks.media),
        ml: templateOf(stacks.ml),
        api: templateOf(stacks.api),
      },
      cleanup: () => fs.rmSync(workDir, { recursive: true, force: true }),
    };
  } catch (error) {
    fs.rmSync(workDir, { recursive: true, force: true });
    throw error;
  } finally {
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
  }
}

/** The CloudFormation logical id of a construct's main resource. */
export function logicalIdOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild as unknown as { logicalId: string } | undefined;
  if (!resource) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).resolve(resource.logicalId) as string;
}

export interface PolicyStatementJson {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Every statement of every inline policy attached to `roleLogicalId` in `template`. */
export function statementsOfRole(template: Template, roleLogicalId: string): PolicyStatementJson[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) =>
      (policy.Properties.Roles as unknown[]).some(
        (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId }),
      ),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
}

export const actionsOf = (statement: PolicyStatementJson): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];
