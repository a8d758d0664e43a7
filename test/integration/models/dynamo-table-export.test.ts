/**
 * The DynamoDB export adapter against a stand-in for DynamoDB's export API: DynamoDB Local has no
 * export (it answers UnknownOperationException), so a small HTTP server answers the three JSON-RPC
 * calls the adapter makes (DescribeTable, ExportTableToPointInTime, DescribeExport) and records
 * what it was sent; the export's files are the documented layout in an in-memory bucket. What this
 * proves: the requests carry what the DynamoDB API reference asks for, the adapter follows the
 * export's status and reads its manifest and data files. What it cannot prove: that a real export
 * is accepted (PITR, IAM) and how long it takes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventToRow } from '#adapters/dynamodb/catalog-stores.ts';
import { DynamoTableExport, ScannedTableExport } from '#adapters/dynamodb/event-export.ts';
import type { InteractionEvent } from '#domain/catalog/types.ts';
import { type HttpStandIn, startHttpStandIn, type StandInRequest } from '../../support/http-stand-in.ts';
import { InMemoryArtifacts } from '../../support/memory-models.ts';

const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/marquee-events';
const EXPORT_ARN = `${TABLE_ARN}/export/01764990000000-a1b2c3d4`;

const stored: InteractionEvent[] = Array.from({ length: 250 }, (_, i) => ({
  eventId: `e${i}`,
  userId: `u${i % 17}`,
  itemId: `i${i % 23}`,
  type: i % 5 === 0 ? 'rate' : 'play',
  ...(i % 5 === 0 ? { value: 4 } : {}),
  timestamp: 1_764_990_000_000 + i * 1000,
}));

let standIn: HttpStandIn;
const calls: StandInRequest[] = [];
/** What DescribeExport answers next: the status sequence the test sets. */
let statuses: Record<string, unknown>[] = [];

beforeAll(async () => {
  standIn = await startHttpStandIn((request, response) => {
    calls.push(request);
    const body = request.body ?? {};
    const answer =
      'TableName' in body
        ? { Table: { TableName: body.TableName, TableArn: TABLE_ARN } }
        : 'TableArn' in body
          ? { ExportDescription: { ExportArn: EXPORT_ARN, ExportStatus: 'IN_PROGRESS' } }
          : { ExportDescription: { ExportArn: EXPORT_ARN, ...statuses.shift() } };
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(JSON.stringify(answer));
  });
  // Read when the process's DynamoDB client is first built (no other call came before in this file).
  process.env.AWS_ENDPOINT_URL_DYNAMODB = standIn.url;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
});

afterAll(async () => {
  await standIn?.stop();
});

describe('the DynamoDB export adapter', () => {
  it('starts an export of the events table under the run prefix, follows it, and reads its files back as events', async () => {
    // Prepare: the export's files in the bucket, in the documented layout (the scanned adapter writes it).
    const bucket = new InMemoryArtifacts();
    const rows = async function* (segment: number, of: number) {
      yield stored.filter((_, i) => i % of === segment).map((event) => ({ ...eventToRow(event) }));
    };
    await new ScannedTableExport(rows, bucket, 40).start('r1');
    const manifest = 'runs/r1/export/AWSDynamoDB/scanned-r1/manifest-summary.json';
    // Two polls (in progress, then done), then the describe that finds the manifest.
    const completed = { ExportStatus: 'COMPLETED', ExportManifest: manifest };
    statuses = [{ ExportStatus: 'IN_PROGRESS' }, completed, completed];
    const adapter = new DynamoTableExport('marquee-events', 'marquee-models', bucket);
    // Act
    const exportId = await adapter.start('r1');
    const first = await adapter.progress(exportId);
    const second = await adapter.progress(exportId);
    const files = await adapter.dataFiles(exportId);
    const events = (await Promise.all(files.map((file) => adapter.readEvents(file.key)))).flat();
    // Assess
    expect(exportId).toBe(EXPORT_ARN);
    expect([first.state, second.state]).toEqual(['IN_PROGRESS', 'COMPLETED']);
    expect(calls.find((call) => call.body && 'TableArn' in call.body)?.body).toEqual({
      TableArn: TABLE_ARN,
      S3Bucket: 'marquee-models',
      S3Prefix: 'runs/r1/export',
      ExportFormat: 'DYNAMODB_JSON',
      ClientToken: 'r1',
    });
    expect(calls.filter((call) => call.body && 'ExportArn' in call.body).map((call) => call.body)).toEqual([
      { ExportArn: EXPORT_ARN },
      { ExportArn: EXPORT_ARN },
      { ExportArn: EXPORT_ARN },
    ]);
    expect(files.reduce((n, file) => n + file.items, 0)).toBe(stored.length);
    expect(files.every((file) => file.items <= 40)).toBe(true);
    const byId = (list: InteractionEvent[]) => [...list].sort((a, b) => a.eventId.localeCompare(b.eventId));
    expect(byId(events)).toEqual(byId(stored));
  });

  it("reports a FAILED export with DynamoDB's failure code and message", async () => {
    statuses = [{ ExportStatus: 'FAILED', FailureCode: 'S3AccessDenied', FailureMessage: 'Access Denied' }];
    const adapter = new DynamoTableExport('marquee-events', 'marquee-models', new InMemoryArtifacts());
    expect(await adapter.progress(EXPORT_ARN)).toEqual({
      state: 'FAILED',
      reason: 'S3AccessDenied: Access Denied',
    });
  });
});
