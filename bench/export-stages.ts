/** The export snapshot's stages over a local run directory, for the snapshot benchmark's parent and children. */
import { ScannedTableExport, type SegmentedRows } from '#adapters/dynamodb/event-export.ts';
import type { ExportSnapshotDependencies } from '#domain/recommendations/export-snapshot.ts';
import { DEFAULT_EVENT_WEIGHTS } from '#domain/recommendations/interactions.ts';
import { DEFAULT_RETRAIN_OPTIONS } from '#domain/recommendations/retrain.ts';
import { settings } from '#platform/declaration.ts';
import { DirectoryArtifacts } from './directory-artifacts.ts';

/** The export snapshot's dependencies over the run directory (its export port only reads the files; `rows` feeds a new export). */
export function stagesOver(
  dir: string,
  rows: SegmentedRows = async function* () {},
): ExportSnapshotDependencies {
  const store = new DirectoryArtifacts(dir);
  return {
    store,
    export: new ScannedTableExport(rows, store, 100_000),
    eventWeights: DEFAULT_EVENT_WEIGHTS,
    flaggedUserWeight: 0,
    holdoutShare: DEFAULT_RETRAIN_OPTIONS.holdout,
    gateSampleUsers: settings.RETRAIN_GATE_SAMPLE_USERS.default,
  };
}
