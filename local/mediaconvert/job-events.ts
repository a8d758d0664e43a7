/** Job State Change events in the EventBridge shape MediaConvert publishes. */
import { randomUUID } from 'node:crypto';
import { ACCOUNT_ID, type Job, REGION } from './job.ts';

export interface JobStateChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'MediaConvert Job State Change';
  source: 'aws.mediaconvert';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export type Publish = (event: JobStateChangeEvent) => Promise<void>;

/** The event for one state change of `job`; `detail` adds the status and its own members. */
export function jobStateChange(job: Job, detail: Record<string, unknown>): JobStateChangeEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'MediaConvert Job State Change',
    source: 'aws.mediaconvert',
    account: ACCOUNT_ID,
    time: new Date().toISOString(),
    region: REGION,
    resources: [job.arn],
    detail: {
      timestamp: Date.now(),
      accountId: ACCOUNT_ID,
      queue: job.queue,
      jobId: job.id,
      userMetadata: job.userMetadata,
      ...detail,
    },
  };
}
