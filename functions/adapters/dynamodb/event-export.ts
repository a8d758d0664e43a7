/**
 * Adapters of the event export port (functions/domain/recommendations/event-export.ts).
 *
 * The layout both write and read is DynamoDB's export to S3 in DYNAMODB_JSON format, as the
 * DynamoDB developer guide describes it ("DynamoDB table export output format",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.Output.html):
 * `<prefix>/AWSDynamoDB/<ExportId>/manifest-summary.json` names `manifestFilesS3Key`;
 * `manifest-files.json` holds one JSON object per line with `dataFileS3Key` and `itemCount`; each
 * data file is gzipped lines `{"Item": {<attribute>: {<type>: value}}}`.
 *
 * - DynamoTableExport: ExportTableToPointInTime (the table's PITR is on) and DescribeExport.
 * - ScannedTableExport: DynamoDB Local answers ExportTableToPointInTime with HTTP 400
 *   `UnknownOperationException` (it has no export), so locally the same layout is written from a
 *   parallel segmented scan, in files of SCANNED_FILE_ITEMS items.
 * Which one runs is the declared setting RETRAIN_EXPORT_MODE, read once by the retrain-shard handler.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  DescribeExportCommand,
  DescribeTableCommand,
  ExportTableToPointInTimeCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { InteractionEvent } from '#domain/catalog/types.ts';
import type { ArtifactStore } from '#domain/models/registry.ts';
import {
  type EventExport,
  type ExportDataFile,
  type ExportProgress,
  exportPrefix,
} from '#domain/recommendations/event-export.ts';
import { scanTable } from './batch.ts';
import { type EventRow, eventFromRow } from './catalog-stores.ts';
import { documentClient } from './client.ts';

interface ManifestSummary {
  manifestFilesS3Key: string;
  itemCount: number;
}

const decoder = new TextDecoder();
const jsonLines = (bytes: Uint8Array) =>
  decoder
    .decode(bytes)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** Reads an export's files (either adapter's) from the bucket they were written to. */
class ExportFiles {
  constructor(private readonly bucket: ArtifactStore) {}

  /** The data files a manifest summary lists, with their item counts. */
  async dataFiles(summaryKey: string): Promise<ExportDataFile[]> {
    const summary = JSON.parse(decoder.decode(await this.bucket.get(summaryKey))) as ManifestSummary;
    return jsonLines(await this.bucket.get(summary.manifestFilesS3Key)).map((line) => ({
      key: String(line.dataFileS3Key),
      items: Number(line.itemCount),
    }));
  }

  /** One gzipped data file's items as events: unmarshalled, then the events table's own row decoding. */
  async readEvents(key: string): Promise<InteractionEvent[]> {
    return jsonLines(gunzipSync(await this.bucket.get(key))).map((line) =>
      eventFromRow(unmarshall(line.Item as Parameters<typeof unmarshall>[0]) as EventRow),
    );
  }
}

/** DynamoDB's export to S3 of the events table, into the models bucket under the run's prefix. */
export class DynamoTableExport implements EventExport {
  /** An export of even a small table takes several minutes: one poll a minute costs little. */
  readonly pollSeconds = 60;
  private readonly files: ExportFiles;

  constructor(
    private readonly table: string,
    private readonly bucketName: string,
    bucket: ArtifactStore,
  ) {
    this.files = new ExportFiles(bucket);
  }

  async start(runId: string): Promise<string> {
    const described = await documentClient().send(new DescribeTableCommand({ TableName: this.table }));
    const started = await documentClient().send(
      new ExportTableToPointInTimeCommand({
        TableArn: described.Table?.TableArn,
        S3Bucket: this.bucketName,
        S3Prefix: exportPrefix(runId).replace(/\/$/, ''),
        ExportFormat: 'DYNAMODB_JSON',
        // A retried task starts no second export: the same token within 8 hours answers the first.
        ClientToken: runId.slice(0, 64),
      }),
    );
    const arn = started.ExportDescription?.ExportArn;
    if (!arn) throw new Error('ExportTableToPointInTime answered without an export ARN');
    return arn;
  }

  async progress(exportId: string): Promise<ExportProgress> {
    const description = await this.describe(exportId);
    if (description.ExportStatus === 'COMPLETED') return { state: 'COMPLETED' };
    if (description.ExportStatus === 'FAILED')
      return {
        state: 'FAILED',
        reason: `${description.FailureCode ?? 'export failed'}: ${description.FailureMessage ?? 'no message'}`,
      };
    return { state: 'IN_PROGRESS' };
  }

  async dataFiles(exportId: string): Promise<ExportDataFile[]> {
    const manifest = (await this.describe(exportId)).ExportManifest;
    if (!manifest) throw new Error(`export ${exportId} has no manifest yet`);
    return this.files.dataFiles(manifest);
  }

  readEvents(key: string): Promise<InteractionEvent[]> {
    return this.files.readEvents(key);
  }

  private async describe(exportId: string) {
    const out = await documentClient().send(new DescribeExportCommand({ ExportArn: exportId }));
    if (!out.ExportDescription) throw new Error(`DescribeExport answered nothing for ${exportId}`);
    return out.ExportDescription;
  }
}

/** Items per data file the scanned export writes: ~10 MB of DynamoDB JSON before gzip. */
export const SCANNED_FILE_ITEMS = 100_000;

/** Segments the scanned export reads side by side (as the scan snapshot does). */
const SCAN_SEGMENTS = 8;

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes);

/** One segment of a parallel scan of a table's raw rows, a page at a time. */
export type SegmentedRows = (segment: number, of: number) => AsyncIterable<Record<string, unknown>[]>;

/** The rows of a DynamoDB table, by parallel-scan segment. */
export const tableRows =
  (table: string): SegmentedRows =>
  (segment, of) =>
    scanTable<Record<string, unknown>>(table, { Segment: segment, TotalSegments: of });

/**
 * The export's layout written from a parallel segmented scan of the table, synchronously in
 * `start` (for DynamoDB Local, which has no export): a finished export is COMPLETED at once.
 */
export class ScannedTableExport implements EventExport {
  readonly pollSeconds = 0;
  private readonly files: ExportFiles;

  constructor(
    private readonly rows: SegmentedRows,
    private readonly bucket: ArtifactStore,
    private readonly fileItems = SCANNED_FILE_ITEMS,
  ) {
    this.files = new ExportFiles(bucket);
  }

  async start(runId: string): Promise<string> {
    const exportId = `scanned-${runId}`;
    const dir = `${exportPrefix(runId)}AWSDynamoDB/${exportId}/`;
    const written = await Promise.all(
      Array.from({ length: SCAN_SEGMENTS }, (_, segment) => this.writeSegment(dir, segment)),
    );
    const files = written.flat();
    const manifestFiles = `${dir}manifest-files.json`;
    await this.bucket.put(
      manifestFiles,
      new TextEncoder().encode(files.map((file) => `${JSON.stringify(file)}\n`).join('')),
    );
    const summary = {
      version: '2020-06-30',
      exportArn: exportId,
      outputFormat: 'DYNAMODB_JSON',
      exportType: 'FULL_EXPORT',
      itemCount: files.reduce((n, file) => n + file.itemCount, 0),
      manifestFilesS3Key: manifestFiles,
    };
    await this.bucket.put(`${dir}manifest-summary.json`, new TextEncoder().encode(JSON.stringify(summary)));
    return exportId;
  }

  async progress(exportId: string): Promise<ExportProgress> {
    try {
      await this.bucket.get(this.summaryKey(exportId));
      return { state: 'COMPLETED' };
    } catch (error) {
      return { state: 'FAILED', reason: `no manifest written: ${(error as Error).message}` };
    }
  }

  dataFiles(exportId: string): Promise<ExportDataFile[]> {
    return this.files.dataFiles(this.summaryKey(exportId));
  }

  readEvents(key: string): Promise<InteractionEvent[]> {
    return this.files.readEvents(key);
  }

  private summaryKey(exportId: string): string {
    const runId = exportId.replace(/^scanned-/, '');
    return `${exportPrefix(runId)}AWSDynamoDB/${exportId}/manifest-summary.json`;
  }

  /** One scan segment's rows as gzipped data files of at most `fileItems` items; their manifest lines. */
  private async writeSegment(dir: string, segment: number) {
    const lines: string[] = [];
    const files: { itemCount: number; md5Checksum: string; etag: string; dataFileS3Key: string }[] = [];
    const flush = async () => {
      if (lines.length === 0) return;
      const bytes = gzipSync(lines.join(''));
      const key = `${dir}data/${segment}-${files.length}.json.gz`;
      files.push({
        itemCount: lines.length,
        md5Checksum: md5(bytes).digest('base64'),
        etag: md5(bytes).digest('hex'),
        dataFileS3Key: key,
      });
      lines.length = 0;
      await this.bucket.put(key, bytes);
    };
    for await (const rows of this.rows(segment, SCAN_SEGMENTS))
      for (const row of rows) {
        lines.push(`${JSON.stringify({ Item: marshall(row, { removeUndefinedValues: true }) })}\n`);
        if (lines.length === this.fileItems) await flush();
      }
    await flush();
    return files;
  }
}
