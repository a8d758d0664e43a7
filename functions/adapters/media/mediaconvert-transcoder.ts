/**
 * MediaConvert adapter of the Transcoder port. One client per process: its endpoint is the SDK's
 * regional default in AWS (account endpoints and DescribeEndpoints are no longer needed), or
 * AWS_ENDPOINT_URL_MEDIACONVERT when set (the SDK reads it); it is never looked up per job.
 */
import {
  BadRequestException,
  CreateJobCommand,
  MediaConvertClient,
  ProbeCommand,
} from '@aws-sdk/client-mediaconvert';
import { dependencyFailures } from '#adapters/aws/dependency-failures.ts';
import { ProbeFailedError, type TranscodeRequest, type Transcoder } from '#domain/media/ports.ts';
import type { SourceProbe } from '#domain/media/probe.ts';
import { type MediaConvertTarget, toJobSettings } from './mediaconvert-job-settings.ts';
import { toSourceProbe } from './mediaconvert-probe.ts';

let client: MediaConvertClient | undefined;

function mediaConvertClient(): MediaConvertClient {
  if (!client) {
    client = new MediaConvertClient({ maxAttempts: 4 });
    // An unreachable or failing MediaConvert is a DependencyError: the event is retried, not failed.
    client.middlewareStack.use(dependencyFailures('the media service'));
  }
  return client;
}

export class MediaConvertTranscoder implements Transcoder {
  constructor(private readonly target: MediaConvertTarget) {}

  async probe(uri: string): Promise<SourceProbe> {
    try {
      const result = await mediaConvertClient().send(new ProbeCommand({ InputFiles: [{ FileUrl: uri }] }));
      return toSourceProbe(result.ProbeResults?.[0] ?? {});
    } catch (error) {
      if (error instanceof BadRequestException) throw new ProbeFailedError(error.message, { cause: error });
      throw error;
    }
  }

  async submit(request: TranscodeRequest): Promise<string> {
    const result = await mediaConvertClient().send(new CreateJobCommand(toJobSettings(request, this.target)));
    const id = result.Job?.Id;
    if (!id) throw new Error('MediaConvert CreateJob returned no job id');
    return id;
  }
}
