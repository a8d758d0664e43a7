/**
 * Port: a snapshot of the events table as files in the models bucket, for tables too large for one
 * function to scan and hold (the distributed retrain's export snapshot, export-snapshot.ts). In AWS
 * it is DynamoDB's export to S3 (point-in-time recovery is on; the export reads no table capacity);
 * locally, where DynamoDB Local has no export, the adapter writes the same layout from a parallel
 * segmented scan. Either way the files land under `runs/<runId>/export/`.
 */
import type { InteractionEvent } from '#domain/catalog/types.ts';

/** Where one run's export files live in the models bucket. */
export const exportPrefix = (runId: string) => `runs/${runId}/export/`;

export type ExportProgress =
  | { state: 'IN_PROGRESS' }
  | { state: 'COMPLETED' }
  | { state: 'FAILED'; reason: string };

/** One data file of a finished export and the number of table items (events) it holds. */
export interface ExportDataFile {
  key: string;
  items: number;
}

export interface EventExport {
  /** How long the machine waits between two status polls, s (an AWS export takes minutes). */
  readonly pollSeconds: number;
  /** Starts the export of the events table for `runId`; returns its id (the export ARN in AWS). Idempotent per run. */
  start(runId: string): Promise<string>;
  progress(exportId: string): Promise<ExportProgress>;
  /** The data files of a COMPLETED export, from its manifest. */
  dataFiles(exportId: string): Promise<ExportDataFile[]>;
  /** Every event of one data file, decoded exactly as the events table's scan decodes a row. */
  readEvents(key: string): Promise<InteractionEvent[]>;
}

/** The export ended in FAILED: the run fails (its Catch releases the lease) and nothing is published. */
export class EventExportFailedError extends Error {
  override name = 'EventExportFailedError';
}
