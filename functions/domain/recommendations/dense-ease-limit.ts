/**
 * How many modelled items a dense EASE solve fits in a function's memory, and which models a run
 * skips (with the reason the run records) when its cap is above that: a skipped model keeps its
 * live version, and ALS and the content model, which grow with items, not items², cover the catalog.
 *
 * The memory model is measured, not assumed: `npm run bench -- scale` (dense EASE section,
 * 2026-12-06) solved 2,000, 4,000 and 8,000 modelled items and fitted peak RSS =
 * 118 MB + 5.0 x items² x 4 bytes (the Gram, onnxruntime's input copy and output, and its
 * factorisation work space live at once). A tenth of the memory is kept for the rest of the run.
 */
import type { ModelName } from './artifact.ts';
import type { TrainingOptions } from './training.ts';

/** The models a dense EASE solve trains: EASE, session EASE, and hybrid (which embeds session EASE). */
export const DENSE_EASE_MODELS = ['ease', 'ease-session', 'hybrid'] as const satisfies readonly ModelName[];

/** The fitted peak memory of one dense EASE solve (docs/scale.md, "Dense EASE"). */
export const DENSE_EASE_MEMORY = {
  /** Resident memory before the solve, MB. */
  baseMb: 118,
  /** items² x 4-byte matrices alive at the peak. */
  matricesAtPeak: 5.0,
  /** Share of the function's memory the solve may take. */
  usableShare: 0.9,
} as const;

/**
 * Peak resident memory of a dense EASE solve over `items` modelled items, MB, in a function that
 * also holds `heldMatrices` other items² x 4-byte matrices at its peak (earlier solves' weights,
 * encoded artifacts).
 */
export function denseEasePeakMb(items: number, heldMatrices = 0): number {
  const matrices = DENSE_EASE_MEMORY.matricesAtPeak + heldMatrices;
  return DENSE_EASE_MEMORY.baseMb + (matrices * items * items * 4) / 2 ** 20;
}

/** The most modelled items a dense EASE solve fits in `memoryMb` of function memory (beside `heldMatrices`). */
export function denseEaseItemLimit(memoryMb: number, heldMatrices = 0): number {
  const room = memoryMb * DENSE_EASE_MEMORY.usableShare - DENSE_EASE_MEMORY.baseMb;
  if (room <= 0) return 0;
  return Math.floor(Math.sqrt((room * 2 ** 20) / ((DENSE_EASE_MEMORY.matricesAtPeak + heldMatrices) * 4)));
}

/**
 * Why a dense EASE over `items` modelled items is skipped in `memoryMb` (beside `heldMatrices`
 * other matrices of its size), or undefined when it fits.
 */
export function denseEaseSkipReason(items: number, memoryMb: number, heldMatrices = 0): string | undefined {
  const limit = denseEaseItemLimit(memoryMb, heldMatrices);
  if (items <= limit) return undefined;
  const held = heldMatrices > 0 ? `, plus ${heldMatrices} more it holds at once` : '';
  return (
    `dense EASE over ${items.toLocaleString('en')} modelled items needs ~${Math.round(denseEasePeakMb(items, heldMatrices)).toLocaleString('en')} MB ` +
    `(measured: 118 MB + 5 x items² x 4 bytes${held}); this function has ${memoryMb.toLocaleString('en')} MB, ` +
    `which holds ${limit.toLocaleString('en')} items: skipped, the live version stays (lower EASE_MAX_MODELLED_ITEMS, or ALS covers the catalog)`
  );
}

/**
 * The dense EASE models of a run skipped for memory, with the reason: `ease` by its own cap,
 * `ease-session` and `hybrid` (which embeds session EASE) by the session cap. `catalogItems`
 * bounds the modelled items (a catalog smaller than the cap models every item at most).
 */
export function denseEaseSkips(
  training: Pick<TrainingOptions, 'models' | 'ease' | 'sessionEase'>,
  catalogItems: number,
  memoryMb: number,
  /** Matrices of the same size the run holds beside a solve (denseEaseSkipReason). */
  heldMatrices = 0,
): Partial<Record<ModelName, string>> {
  const caps: Partial<Record<ModelName, number>> = {
    ease: training.ease.maxItems,
    'ease-session': training.sessionEase.maxItems,
    hybrid: training.sessionEase.maxItems,
  };
  const skips: Partial<Record<ModelName, string>> = {};
  for (const name of training.models) {
    const cap = caps[name];
    if (cap === undefined) continue;
    const reason = denseEaseSkipReason(Math.min(cap, catalogItems), memoryMb, heldMatrices);
    if (reason) skips[name] = reason;
  }
  return skips;
}
