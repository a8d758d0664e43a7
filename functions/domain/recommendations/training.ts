/**
 * Trains every recommendation model from interactions and a catalog, exports each as an ONNX
 * artifact, and evaluates artifacts on a holdout through the same graphs serving runs.
 */
import type { Item } from '#domain/catalog/types.ts';
import { type AlsOptions, DEFAULT_ALS_OPTIONS, trainAls } from './als.ts';
import {
  type ArtifactMetadata,
  type CatalogSnapshot,
  encodeArtifact,
  type ModelName,
  PERSONAL_MODELS,
} from './artifact.ts';
import { type ContentOptions, DEFAULT_CONTENT_OPTIONS, trainContent } from './content.ts';
import {
  DEFAULT_EASE_OPTIONS,
  type EaseModel,
  type EaseOptions,
  SESSION_EASE_OPTIONS,
  trainEase,
} from './ease.ts';
import { type RankingMetrics, rankingMetrics } from './evaluation.ts';
import {
  buildAlsGraph,
  buildContentGraph,
  buildEaseGraph,
  buildHybridGraph,
  buildPopularityGraph,
  buildTrendingGraph,
} from './graphs.ts';
import { buildMatrix, type WeightedInteraction } from './interactions.ts';
import { trainPopularity, trainTrending } from './popularity.ts';
import { loadServingModel } from './serving/loading.ts';
import { THIN_HISTORY } from './serving/routing.ts';
import { biasFor, runGraph } from './serving/scoring.ts';

export interface TrainingInput {
  interactions: readonly WeightedInteraction[];
  items: readonly Item[];
  /** Epoch ms "now" for trending. */
  now: number;
  /** Epoch ms of the oldest event read, when only a recent window was (trending corrects for it). */
  since?: number;
}

export interface TrainingOptions {
  models: readonly ModelName[];
  ease: EaseOptions;
  /** `ease-session`, which is also the collaborative half of `hybrid`. */
  sessionEase: EaseOptions;
  als: AlsOptions;
  content: ContentOptions;
  /** Every positive signal counts 1 (the MovieLens benchmark protocol). */
  binary: boolean;
}

export const DEFAULT_TRAINING_OPTIONS: TrainingOptions = {
  models: ['popularity', 'trending', 'ease', 'ease-session', 'als', 'content', 'hybrid'],
  ease: DEFAULT_EASE_OPTIONS,
  sessionEase: SESSION_EASE_OPTIONS,
  als: DEFAULT_ALS_OPTIONS,
  content: DEFAULT_CONTENT_OPTIONS,
  binary: false,
};

export interface TrainedArtifact {
  name: ModelName;
  bytes: Uint8Array;
  /** Wall time of training and export, ms. */
  trainMs: number;
}

/** The catalog snapshot: catalog items first, then any item only seen in interactions. */
export function catalogSnapshot(
  items: readonly Item[],
  interactions: readonly WeightedInteraction[],
): CatalogSnapshot {
  const snapshot: CatalogSnapshot = { itemIds: [], titles: [], genres: [], playable: [] };
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.itemId)) continue;
    seen.add(item.itemId);
    snapshot.itemIds.push(item.itemId);
    snapshot.titles.push(item.title);
    snapshot.genres.push(item.genres);
    snapshot.playable.push(item.playable ?? false);
  }
  for (const x of interactions) {
    if (seen.has(x.itemId)) continue;
    seen.add(x.itemId);
    snapshot.itemIds.push(x.itemId);
    snapshot.titles.push(x.itemId);
    snapshot.genres.push([]);
    snapshot.playable.push(false);
  }
  return snapshot;
}

/** Trains the requested models; returns one artifact per model, in the order asked. */
export async function trainAllModels(
  input: TrainingInput,
  options: TrainingOptions = DEFAULT_TRAINING_OPTIONS,
): Promise<TrainedArtifact[]> {
  const catalog = catalogSnapshot(input.items, input.interactions);
  const matrix = buildMatrix(input.interactions, { itemIds: catalog.itemIds, binary: options.binary });
  const meta = (name: ModelName, extra: Partial<ArtifactMetadata> = {}): ArtifactMetadata => ({
    name,
    trainedAt: input.now,
    catalog,
    ...extra,
  });
  const out: TrainedArtifact[] = [];
  const timed = async (name: ModelName, build: () => Promise<Uint8Array> | Uint8Array) => {
    const t = performance.now();
    const bytes = await build();
    out.push({ name, bytes, trainMs: performance.now() - t });
  };
  let sessionEase: EaseModel | undefined;
  let content: ReturnType<typeof trainContent> | undefined;
  for (const name of options.models) {
    switch (name) {
      case 'popularity':
        await timed(name, () =>
          encodeArtifact(
            buildPopularityGraph(trainPopularity(input.interactions, catalog.itemIds)),
            meta(name),
          ),
        );
        break;
      case 'trending':
        await timed(name, () => {
          const model = trainTrending(input.interactions, catalog.itemIds, input.now, undefined, input.since);
          return encodeArtifact(buildTrendingGraph(model), meta(name, { windows: model.windows }));
        });
        break;
      case 'ease':
        await timed(name, async () =>
          encodeArtifact(buildEaseGraph(await trainEase(matrix, options.ease)), meta(name)),
        );
        break;
      case 'ease-session':
        await timed(name, async () => {
          sessionEase = await trainEase(matrix, options.sessionEase);
          return encodeArtifact(buildEaseGraph(sessionEase), meta(name));
        });
        break;
      case 'als':
        await timed(name, () => encodeArtifact(buildAlsGraph(trainAls(matrix, options.als)), meta(name)));
        break;
      case 'content':
        await timed(name, () => {
          content = trainContent(input.items, catalog.itemIds, options.content);
          return encodeArtifact(buildContentGraph(content), meta(name));
        });
        break;
      case 'hybrid':
        await timed(name, async () => {
          // Reuses session EASE and content when trained in this run (their time is counted there).
          sessionEase ??= await trainEase(matrix, options.sessionEase);
          content ??= trainContent(input.items, catalog.itemIds, options.content);
          return encodeArtifact(buildHybridGraph(sessionEase, content), meta(name));
        });
        break;
    }
  }
  return out;
}

export interface ModelEvaluation {
  name: ModelName;
  metrics: RankingMetrics;
  /** Median graph run per user, ms. */
  scoringMs: number;
  trainMs: number;
  sizeBytes: number;
}

/**
 * Evaluates each artifact: for every user with test positives, ranks the catalog from their train
 * history (seen items excluded) through the artifact's graph, then computes metrics at k.
 */
export async function evaluateArtifacts(
  artifacts: readonly TrainedArtifact[],
  train: readonly WeightedInteraction[],
  relevant: Map<string, Set<string>>,
  k: number,
): Promise<ModelEvaluation[]> {
  const results: ModelEvaluation[] = [];
  for (const artifact of artifacts) {
    const model = await loadServingModel(artifact.bytes, 'candidate');
    const catalog = model.metadata.catalog;
    const histories = new Map<string, { items: number[]; weights: number[] }>();
    for (const x of train) {
      if (x.weight <= 0) continue;
      const i = model.index.get(x.itemId);
      if (i === undefined) continue;
      const h = histories.get(x.userId) ?? { items: [], weights: [] };
      h.items.push(i);
      h.weights.push(Math.min(x.weight, 5));
      histories.set(x.userId, h);
    }
    const recommended = new Map<string, string[]>();
    const times: number[] = [];
    for (const userId of relevant.keys()) {
      const history = histories.get(userId) ?? { items: [], weights: [] };
      const bias = biasFor(catalog, {}, history.items);
      const alpha = history.items.length / (history.items.length + THIN_HISTORY);
      const t = performance.now();
      const r = await runGraph(model, history, bias, k, {
        alpha,
        window: (model.metadata.windows ?? []).length - 1,
      });
      times.push(performance.now() - t);
      recommended.set(
        userId,
        r.indices.map((i) => catalog.itemIds[i]),
      );
    }
    await model.session.release();
    times.sort((a, b) => a - b);
    results.push({
      name: artifact.name,
      metrics: rankingMetrics(recommended, relevant, k, catalog.itemIds.length),
      scoringMs: times[Math.floor(times.length / 2)] ?? 0,
      trainMs: artifact.trainMs,
      sizeBytes: artifact.bytes.byteLength,
    });
  }
  return results;
}

/** The default personal model: the best on `metric` among the personal models evaluated. */
export function chooseDefault(
  evaluations: readonly ModelEvaluation[],
  metric: keyof RankingMetrics = 'ndcg',
): ModelName {
  const personal = evaluations.filter((e) => PERSONAL_MODELS.includes(e.name));
  const best = [...personal].sort((a, b) => b.metrics[metric] - a.metrics[metric])[0];
  return best?.name ?? 'popularity';
}
