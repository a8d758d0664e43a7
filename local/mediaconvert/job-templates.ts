/**
 * Job templates (CreateJobTemplate and friends, kept in memory) and how CreateJob combines one with
 * the job's own settings: the job's settings win member by member; the template's single input
 * gives every job input its defaults (selectors, timecode source...), and the template's output
 * groups are used when the job sends none. The service documents that a template holds one input
 * and that jobs "can include multiple inputs when referencing a job template".
 */
import { BadRequestException } from './api-errors.ts';
import { ACCOUNT_ID, REGION } from './job.ts';
import { NamedResources } from './named-resources.ts';
import { type Json, objectArray, requireObject } from './settings/checks.ts';

export interface JobTemplate {
  name: string;
  settings: Json;
  category?: string;
  description?: string;
  queue?: string;
  priority?: number;
  statusUpdateInterval?: string;
  accelerationSettings?: Json;
  createdAt: Date;
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** The template as CreateJobTemplate/GetJobTemplate return it. */
export function jobTemplateToWire(template: JobTemplate): Json {
  return {
    arn: `arn:aws:mediaconvert:${REGION}:${ACCOUNT_ID}:jobTemplates/${template.name}`,
    name: template.name,
    type: 'CUSTOM',
    category: template.category,
    description: template.description,
    queue: template.queue,
    priority: template.priority ?? 0,
    statusUpdateInterval: template.statusUpdateInterval ?? 'SECONDS_60',
    accelerationSettings: template.accelerationSettings,
    settings: template.settings,
    createdAt: seconds(template.createdAt),
    lastUpdated: seconds(template.createdAt),
  };
}

/** A job's settings on top of a template's: see the module comment. */
export function withTemplate(template: JobTemplate, jobSettings: Json): Json {
  const job = jobSettings === undefined ? {} : requireObject(jobSettings, 'settings');
  const [templateInput = {}] = objectArray(
    template.settings.inputs,
    `jobTemplate ${template.name}: settings.inputs`,
  );
  const jobInputs = objectArray(job.inputs, 'settings.inputs');
  const jobGroups = objectArray(job.outputGroups, 'settings.outputGroups');
  return {
    ...template.settings,
    ...job,
    inputs: (jobInputs.length > 0 ? jobInputs : [{}]).map((input) => ({ ...templateInput, ...input })),
    outputGroups: jobGroups.length > 0 ? jobGroups : template.settings.outputGroups,
  };
}

export class JobTemplateStore {
  private readonly templates = new NamedResources<JobTemplate>('job template');

  /** CreateJobTemplate: the settings are stored as sent; CreateJob checks them with the job's own. */
  create(body: Json): JobTemplate {
    requireObject(body, 'the request body');
    const name = this.templates.checkNewName(body.name);
    const settings = requireObject(body.settings, 'settings');
    if (objectArray(settings.inputs, 'settings.inputs').length > 1) {
      throw new BadRequestException('settings.inputs: a job template holds at most one input');
    }
    objectArray(settings.outputGroups, 'settings.outputGroups');
    return this.templates.add({
      name,
      settings,
      category: body.category,
      description: body.description,
      queue: body.queue,
      priority: body.priority,
      statusUpdateInterval: body.statusUpdateInterval,
      accelerationSettings: body.accelerationSettings,
      createdAt: new Date(),
    });
  }

  get(name: string): JobTemplate {
    return this.templates.get(name);
  }

  list(query: { category?: string; maxResults?: number; nextToken?: string; order?: string }) {
    const { page, nextToken } = this.templates.list(query);
    return { jobTemplates: page, nextToken };
  }

  delete(name: string): void {
    this.templates.delete(name);
  }
}
