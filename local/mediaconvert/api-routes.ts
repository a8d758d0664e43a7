/** The MediaConvert REST operations the local endpoint answers, as a table of method + path. */
import { MediaConvertApiError } from './api-errors.ts';
import { jobToWire } from './job.ts';
import type { JobRunner } from './job-runner.ts';
import { type JobTemplateStore, jobTemplateToWire } from './job-templates.ts';
import { type PresetCatalog, presetToWire } from './presets.ts';
import { checkPresetSettings } from './settings/read-output.ts';
import { type ProbeContext, probeFiles } from './probe-operation.ts';

const API = '/2017-08-29';

export interface ApiRequest {
  /** Path parameters, decoded, in the order of the route's pattern. */
  params: string[];
  query: URLSearchParams;
  /** The parsed JSON body ({} when empty). */
  body: () => Promise<unknown>;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

export interface ApiRoute {
  method: string;
  path: RegExp;
  handle(request: ApiRequest): Promise<ApiResponse>;
}

export interface ApiContext {
  runner: JobRunner;
  presets: PresetCatalog;
  templates: JobTemplateStore;
  probe: ProbeContext;
  /** The endpoint's own URL, for DescribeEndpoints. */
  url: () => string;
}

const route = (method: string, path: string, handle: ApiRoute['handle']): ApiRoute => ({
  method,
  path: new RegExp(`^${API}${path}$`),
  handle,
});

function jobNotFound(id: string): MediaConvertApiError {
  return new MediaConvertApiError(404, 'NotFoundException', `The specified job ${id} does not exist.`);
}

function jobRoutes({ runner }: ApiContext): ApiRoute[] {
  return [
    route('POST', '/jobs', async ({ body }) => ({
      status: 201,
      body: { job: jobToWire(runner.create(await body())) },
    })),
    route('GET', '/jobs/([^/]+)', async ({ params: [id] }) => {
      const job = runner.get(id);
      if (!job) throw jobNotFound(id);
      return { status: 200, body: { job: jobToWire(job) } };
    }),
    route('DELETE', '/jobs/([^/]+)', async ({ params: [id] }) => {
      await runner.cancel(id);
      return { status: 202, body: {} };
    }),
    route('GET', '/jobs', async ({ query }) => {
      const maxResults = query.get('maxResults');
      const page = runner.list({
        maxResults: maxResults ? Number(maxResults) : undefined,
        nextToken: query.get('nextToken') ?? undefined,
        order: query.get('order') ?? undefined,
        queue: query.get('queue') ?? undefined,
        status: query.get('status') ?? undefined,
      });
      return { status: 200, body: { jobs: page.jobs.map(jobToWire), nextToken: page.nextToken } };
    }),
  ];
}

/** The list operations' common query members. */
function listQuery(query: URLSearchParams) {
  const maxResults = query.get('maxResults');
  return {
    maxResults: maxResults ? Number(maxResults) : undefined,
    nextToken: query.get('nextToken') ?? undefined,
    order: query.get('order') ?? undefined,
    category: query.get('category') ?? undefined,
  };
}

function presetRoutes({ presets }: ApiContext): ApiRoute[] {
  return [
    route('POST', '/presets', async ({ body }) => ({
      status: 201,
      body: { preset: presetToWire(presets.create(await body(), checkPresetSettings(presets))) },
    })),
    route('GET', '/presets/([^/]+)', async ({ params: [name] }) => ({
      status: 200,
      body: { preset: presetToWire(presets.get(name)) },
    })),
    route('GET', '/presets', async ({ query }) => {
      const { presets: page, nextToken } = presets.list(listQuery(query));
      return { status: 200, body: { presets: page.map(presetToWire), nextToken } };
    }),
    route('DELETE', '/presets/([^/]+)', async ({ params: [name] }) => {
      presets.delete(name);
      return { status: 202, body: {} };
    }),
  ];
}

function templateRoutes({ templates }: ApiContext): ApiRoute[] {
  return [
    route('POST', '/jobTemplates', async ({ body }) => ({
      status: 201,
      body: { jobTemplate: jobTemplateToWire(templates.create(await body())) },
    })),
    route('GET', '/jobTemplates/([^/]+)', async ({ params: [name] }) => ({
      status: 200,
      body: { jobTemplate: jobTemplateToWire(templates.get(name)) },
    })),
    route('GET', '/jobTemplates', async ({ query }) => {
      const { jobTemplates, nextToken } = templates.list(listQuery(query));
      return { status: 200, body: { jobTemplates: jobTemplates.map(jobTemplateToWire), nextToken } };
    }),
    route('DELETE', '/jobTemplates/([^/]+)', async ({ params: [name] }) => {
      templates.delete(name);
      return { status: 202, body: {} };
    }),
  ];
}

/** Every operation the endpoint answers. */
export function apiRoutes(context: ApiContext): ApiRoute[] {
  return [
    ...jobRoutes(context),
    ...presetRoutes(context),
    ...templateRoutes(context),
    route('POST', '/endpoints', async ({ body }) => {
      await body();
      return { status: 200, body: { endpoints: [{ url: context.url() }] } };
    }),
    route('POST', '/probe', async ({ body }) => ({
      status: 200,
      body: await probeFiles(context.probe, (await body()) as never),
    })),
  ];
}
