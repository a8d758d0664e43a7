/**
 * Smart crop, after AutoFlip: shots from scene cuts, a subject per sampled frame, then per shot a
 * window of the target aspect at the picture's full height that stays put when the subject barely
 * moves and pans steadily when it travels. MediaConvert has no keyframed crop, so a pan is a row of
 * short sub-clips, each with its own crop rectangle (stepped every STEP_SEC). Pure: frames come in as
 * grey pixels from an analyzer adapter; the plan goes to the job settings as input clippings + crops.
 */

import type { SourceProbe } from './probe.ts';

export const CROP_ASPECTS = ['9:16', '1:1'] as const;
export type CropAspect = (typeof CROP_ASPECTS)[number];

/** One sampled frame, downscaled and grey: `pixels` is `width * height` bytes, row by row. */
export interface GreyFrame {
  /** Seconds from the start of the video. */
  timeSec: number;
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** Where the subject is in one sampled frame; `centreX` absent when no subject stands out. */
export interface SubjectSample {
  timeSec: number;
  /** Horizontal centre of the subject, as a fraction 0..1 of the picture's width. */
  centreX?: number;
}

/** The picture a crop plan cuts from: pixels of the stored picture after rotation (Crop's grid). */
export interface CropPicture {
  width: number;
  height: number;
  /** Frames per second. */
  frameRate: number;
  /** Frames in the video. */
  frameCount: number;
}

/** A crop rectangle held from `startFrame` up to (not including) `endFrame`. */
export interface CropWindow {
  startFrame: number;
  endFrame: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** How a shot's window behaves: held still, panning with the subject, or centred for lack of one. */
export type ShotMotion = 'STATIONARY' | 'PAN' | 'CENTRED';

export interface CropShot {
  startFrame: number;
  endFrame: number;
  motion: ShotMotion;
  /** One window for a still or centred shot; a row of stepped windows for a pan. */
  windows: CropWindow[];
}

export interface CropPlan {
  aspect: CropAspect;
  /** Window size, even pixels. */
  width: number;
  height: number;
  frameRate: number;
  shots: CropShot[];
  /** Set when no shot had a detectable subject and every window is centred. */
  fallback?: string;
}

/** A panning window takes a new position this often, seconds. */
export const STEP_SEC = 0.5;
/** MediaConvert's limit of inputs in one job (its user guide; not enforced by the local endpoint); a long pan gets coarser steps to fit. */
export const MAX_JOB_INPUTS = 150;
/** A subject whose centre stays within this share of the window's width is held still. */
const STILL_SPREAD_OF_WINDOW = 0.25;
/** A shot needs a subject in at least this share of its frames, else its window is centred. */
const MIN_SUBJECT_SHARE = 0.3;
/** The pan path is averaged over this many seconds each side: no jitter, no jump. */
const SMOOTHING_SEC = 0.75;
/** Samples each side of the running median that removes stray detections. */
const MEDIAN_RADIUS = 2;
/** Shots shorter than this are joined to the one before (a flash is not a shot), seconds. */
const MIN_SHOT_SEC = 0.5;
/** Grey-level change under which a pixel counts as unchanged (compression noise, flicker). */
const NOISE_LEVEL = 14;
/** The subject's span must hold this many times the energy an even spread would put there. */
const MIN_CONCENTRATION = 1.6;

const even = (value: number) => 2 * Math.round(value / 2);
const evenDown = (value: number) => 2 * Math.floor(value / 2);
const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/** Width over height of an aspect. */
export function aspectRatio(aspect: CropAspect): number {
  return aspect === '9:16' ? 9 / 16 : 1;
}

/** The window's size: the picture's full height at the aspect, or its full width if that is narrower. */
export function windowSize(picture: Pick<CropPicture, 'width' | 'height'>, aspect: CropAspect) {
  const ratio = aspectRatio(aspect);
  const width = Math.min(evenDown(picture.width), even(picture.height * ratio));
  const height = width < even(picture.height * ratio) ? evenDown(width / ratio) : evenDown(picture.height);
  return { width, height };
}

/** Shots as [start, end) frame ranges from scene cut times, very short shots joined to the previous one. */
export function shotsFromCuts(
  cutsSec: number[],
  picture: CropPicture,
): { startFrame: number; endFrame: number }[] {
  const minFrames = Math.max(1, Math.round(MIN_SHOT_SEC * picture.frameRate));
  const starts = [0];
  for (const cut of [...cutsSec].sort((a, b) => a - b)) {
    const frame = Math.round(cut * picture.frameRate);
    if (frame - starts[starts.length - 1] >= minFrames && picture.frameCount - frame >= minFrames)
      starts.push(frame);
  }
  return starts.map((startFrame, i) => ({ startFrame, endFrame: starts[i + 1] ?? picture.frameCount }));
}

/** Frames apart (before and after) whose differences make a frame's motion energy. */
const MOTION_GAP = 3;

/**
 * The subject of each frame of one shot from motion energy: a frame's grey-level differences with
 * the samples MOTION_GAP before and after it (both sides, so the energy sits around the subject's
 * position at that instant, not behind it), summed per column; the subject is the span of the
 * window's width holding the most energy. Small, fast distractors and flicker spread their energy
 * and lose to a larger subject; a frame whose energy is not concentrated has no subject.
 */
export function subjectsInShot(frames: GreyFrame[], spanFraction: number): SubjectSample[] {
  if (frames.length < 2) return frames.map((frame) => ({ timeSec: frame.timeSec }));
  const { width, height } = frames[0];
  const span = Math.max(1, Math.round(spanFraction * width));
  return frames.map((frame, i) => {
    const neighbours = [frames[i - MOTION_GAP] ?? frames[0], frames[i + MOTION_GAP] ?? frames.at(-1)!].filter(
      (other) => other !== frame,
    );
    const columns = new Float64Array(width);
    for (const other of neighbours) {
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const p = y * width + x;
          const change = Math.abs(frame.pixels[p] - other.pixels[p]);
          if (change > NOISE_LEVEL) columns[x] += change;
        }
      }
    }
    return subjectFromColumns(frame.timeSec, columns, span, neighbours.length * height);
  });
}

/** The span of `span` columns with the most energy, if it holds enough of it; its energy-weighted centre. */
function subjectFromColumns(
  timeSec: number,
  columns: Float64Array,
  span: number,
  rows: number,
): SubjectSample {
  const width = columns.length;
  const total = columns.reduce((sum, v) => sum + v, 0);
  // Less than 0.2% of the picture changing by a clear step: nothing moves.
  if (total < 0.002 * width * rows * 4 * NOISE_LEVEL) return { timeSec };
  let inSpan = 0;
  for (let x = 0; x < span; x++) inSpan += columns[x];
  let best = inSpan;
  let bestStart = 0;
  for (let start = 1; start + span <= width; start++) {
    inSpan += columns[start + span - 1] - columns[start - 1];
    if (inSpan > best) {
      best = inSpan;
      bestStart = start;
    }
  }
  if (best / total < Math.min(1, MIN_CONCENTRATION * (span / width))) return { timeSec };
  let weighted = 0;
  for (let x = bestStart; x < bestStart + span; x++) weighted += columns[x] * (x + 0.5);
  return { timeSec, centreX: weighted / best / width };
}

/**
 * Subjects of every sampled frame, shot by shot (each shot has its own background). The subject is
 * looked for in a span as wide as the narrowest window (9:16): every aspect follows the same centre.
 */
export function findSubjects(
  frames: GreyFrame[],
  shots: { startFrame: number; endFrame: number }[],
  picture: CropPicture,
): SubjectSample[] {
  const spanFraction = windowSize(picture, '9:16').width / picture.width;
  return shots.flatMap((shot) =>
    subjectsInShot(
      frames.filter((frame) => {
        const index = Math.round(frame.timeSec * picture.frameRate);
        return index >= shot.startFrame && index < shot.endFrame;
      }),
      spanFraction,
    ),
  );
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** The subject's centre (pixels) at each sample, gaps filled from the nearest sample that has one. */
function filledCentres(samples: SubjectSample[], pictureWidth: number): number[] {
  const known = samples.map((s) => (s.centreX === undefined ? undefined : s.centreX * pictureWidth));
  return known.map((value, i) => {
    if (value !== undefined) return value;
    for (let d = 1; d < known.length; d++) {
      const near = known[i - d] ?? known[i + d];
      if (near !== undefined) return near;
    }
    return pictureWidth / 2;
  });
}

/** The window's left edge for a subject centre: centred on it, inside the picture, even. */
const leftEdgeFor = (centre: number, windowWidth: number, pictureWidth: number) =>
  evenDown(clamp(centre - windowWidth / 2, 0, pictureWidth - windowWidth));

/** Running median over ±`radius` samples: a stray detection (a distractor's frame) is dropped, not averaged in. */
function medianFiltered(path: number[], radius: number): number[] {
  return path.map((_, i) => {
    const window = path.slice(Math.max(0, i - radius), i + radius + 1).sort((a, b) => a - b);
    return window[window.length >> 1];
  });
}

/** Moving average of a path over ±`radius` samples. */
function smoothed(path: number[], radius: number): number[] {
  return path.map((_, i) => {
    const from = Math.max(0, i - radius);
    const to = Math.min(path.length - 1, i + radius);
    let sum = 0;
    for (let j = from; j <= to; j++) sum += path[j];
    return sum / (to - from + 1);
  });
}

/** One shot's windows from its subject samples. */
function planShot(
  shot: { startFrame: number; endFrame: number },
  samples: SubjectSample[],
  picture: CropPicture,
  size: { width: number; height: number },
  stepFrames: number,
): CropShot {
  const y = evenDown((picture.height - size.height) / 2);
  const window = (startFrame: number, endFrame: number, x: number): CropWindow => ({
    startFrame,
    endFrame,
    x,
    y,
    ...size,
  });
  const found = samples.filter((s) => s.centreX !== undefined).length;
  if (samples.length === 0 || found < MIN_SUBJECT_SHARE * samples.length) {
    const x = leftEdgeFor(picture.width / 2, size.width, picture.width);
    return { ...shot, motion: 'CENTRED', windows: [window(shot.startFrame, shot.endFrame, x)] };
  }
  const centres = medianFiltered(filledCentres(samples, picture.width), MEDIAN_RADIUS);
  const sorted = [...centres].sort((a, b) => a - b);
  if (quantile(sorted, 0.9) - quantile(sorted, 0.1) <= STILL_SPREAD_OF_WINDOW * size.width) {
    const x = leftEdgeFor(quantile(sorted, 0.5), size.width, picture.width);
    return { ...shot, motion: 'STATIONARY', windows: [window(shot.startFrame, shot.endFrame, x)] };
  }
  const sampleSpacingSec =
    samples.length > 1 ? (samples.at(-1)!.timeSec - samples[0].timeSec) / (samples.length - 1) : 1;
  const path = smoothed(centres, Math.max(1, Math.round(SMOOTHING_SEC / Math.max(sampleSpacingSec, 1e-3))));
  const windows: CropWindow[] = [];
  for (let start = shot.startFrame; start < shot.endFrame; start += stepFrames) {
    const end = Math.min(shot.endFrame, start + stepFrames);
    // The path at the middle of the step, from the nearest sample.
    const middleSec = (start + end) / 2 / picture.frameRate;
    let nearest = 0;
    for (let i = 1; i < samples.length; i++) {
      if (Math.abs(samples[i].timeSec - middleSec) < Math.abs(samples[nearest].timeSec - middleSec))
        nearest = i;
    }
    windows.push(window(start, end, leftEdgeFor(path[nearest], size.width, picture.width)));
  }
  return { ...shot, motion: 'PAN', windows };
}

/**
 * The crop plan of one aspect: a window per shot, stepped for a pan, a centred window where no
 * subject stands out. Steps are lengthened when a plan would need more inputs than one job holds.
 */
export function planCrop(
  picture: CropPicture,
  shots: { startFrame: number; endFrame: number }[],
  samples: SubjectSample[],
  aspect: CropAspect,
): CropPlan {
  const size = windowSize(picture, aspect);
  const samplesOf = (shot: { startFrame: number; endFrame: number }) =>
    samples.filter((s) => {
      const frame = Math.round(s.timeSec * picture.frameRate);
      return frame >= shot.startFrame && frame < shot.endFrame;
    });
  let stepFrames = Math.max(1, Math.round(STEP_SEC * picture.frameRate));
  let planned = shots.map((shot) => planShot(shot, samplesOf(shot), picture, size, stepFrames));
  while (planned.reduce((sum, shot) => sum + shot.windows.length, 0) > MAX_JOB_INPUTS) {
    stepFrames *= 2;
    planned = shots.map((shot) => planShot(shot, samplesOf(shot), picture, size, stepFrames));
  }
  const allCentred = planned.every((shot) => shot.motion === 'CENTRED');
  return {
    aspect,
    ...size,
    frameRate: picture.frameRate,
    shots: planned,
    ...(allCentred ? { fallback: 'no subject was detected in any shot: every window is centred' } : {}),
  };
}

/** The window that shows frame `frame`. */
export function windowAt(plan: CropPlan, frame: number): CropWindow | undefined {
  for (const shot of plan.shots) {
    if (frame < shot.startFrame || frame >= shot.endFrame) continue;
    return shot.windows.find((w) => frame >= w.startFrame && frame < w.endFrame);
  }
  return undefined;
}

/** Mean absolute movement of the window's left edge from one frame to the next inside shots, pixels. */
export function windowJitter(plan: CropPlan): number {
  let moved = 0;
  let steps = 0;
  for (const shot of plan.shots) {
    for (let i = 1; i < shot.windows.length; i++)
      moved += Math.abs(shot.windows[i].x - shot.windows[i - 1].x);
    steps += Math.max(0, shot.endFrame - shot.startFrame - 1);
  }
  return steps === 0 ? 0 : moved / steps;
}

/** The whole analysis of one aspect: shots from the cuts, subjects per sample, the planned windows. */
export function planSmartCrop(
  sampled: { frames: GreyFrame[]; cutsSec: number[] },
  picture: CropPicture,
  aspect: CropAspect,
): CropPlan {
  const shots = shotsFromCuts(sampled.cutsSec, picture);
  return planCrop(picture, shots, findSubjects(sampled.frames, shots, picture), aspect);
}

/** Every window of a plan in time order: the inputs of its job. */
export function cropWindows(plan: CropPlan): CropWindow[] {
  return plan.shots.flatMap((shot) => shot.windows);
}

/**
 * The source as the crop job's outputs see it: the window's size, square pixels, upright. Planning
 * the ladder on it keeps the ladder's rules, never above the window's own size.
 */
export function croppedSource(source: SourceProbe, plan: CropPlan): SourceProbe {
  if (!source.video) return source;
  return {
    ...source,
    video: {
      ...source.video,
      storedWidth: plan.width,
      storedHeight: plan.height,
      displayWidth: plan.width,
      displayHeight: plan.height,
      displayAspect: plan.width / plan.height,
      rotationDeg: 0,
      sampleAspectRatio: { num: 1, den: 1 },
    },
  };
}
