/**
 * Builds the Lambda layers' folders before synth, idempotently:
 * - runtime: onnxruntime-node with only the Linux binaries of one architecture (the npm package
 *   ships every platform, 288 MB; Lambda allows 250 MB unzipped for a function and its layers);
 * - models: the baseline model artifacts under `models/` (unpacked to /opt/models in Lambda);
 * - ffmpeg: the static ffmpeg of `@ffmpeg-installer/linux-<arch>` at `bin/ffmpeg` (/opt/bin/ffmpeg in
 *   Lambda). npm installs only this machine's architecture, so the other one is fetched once with
 *   `npm pack` at the version package-lock.json pins, checked against its integrity, and kept. Beside
 *   it, Netflix's VMAF v0.6.1 model at `vmaf/` (/opt/vmaf in Lambda; see VMAF_MODEL).
 * Run directly (`npx tsx layers/build.ts`) or through `buildLayers()` from the CDK app.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type LayerArchitecture = 'arm64' | 'x64';

const layersRoot = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(layersRoot, '..');

/** Where the layers' assets are written (both folders are git-ignored). */
export const layerPaths = {
  runtime: path.join(layersRoot, 'runtime'),
  models: path.join(layersRoot, 'models', 'build'),
  ffmpeg: path.join(layersRoot, 'ffmpeg'),
} as const;

/** Where `npm run retrain` (or a person) leaves the baseline artifacts for the models layer. */
export const baselineModelsDir = path.join(layerPaths.models, 'models');

export interface LayerBuildResult {
  runtimeDir: string;
  modelsDir: string;
  /** Bytes of the runtime layer's files (the Lambda 250 MB limit is on unzipped bytes). */
  runtimeBytes: number;
  /** Model files found, excluding the placeholder README. */
  modelFiles: string[];
}

/** Prepares both layer folders; cheap when they are already up to date. */
export function buildLayers(architecture: LayerArchitecture = 'arm64'): LayerBuildResult {
  const runtimeBytes = buildRuntimeLayer(architecture);
  const modelFiles = buildModelsLayer();
  buildFfmpegLayer(architecture);
  buildVmafModel();
  return { runtimeDir: layerPaths.runtime, modelsDir: layerPaths.models, runtimeBytes, modelFiles };
}

/** Copies onnxruntime-node (JS + one Linux binary folder) and onnxruntime-common; returns bytes. */
export function buildRuntimeLayer(architecture: LayerArchitecture): number {
  const nodeModules = path.join(layerPaths.runtime, 'nodejs', 'node_modules');
  const ortSource = installedPackageDir('onnxruntime-node', repoRoot);
  const commonSource = installedPackageDir('onnxruntime-common', ortSource);
  const binaries = path.join('bin', 'napi-v6', 'linux', architecture);
  if (!fs.existsSync(path.join(ortSource, binaries))) {
    throw new Error(`onnxruntime-node has no ${binaries} folder in ${ortSource}`);
  }
  // Start clean so a previous build for the other architecture leaves nothing behind.
  fs.rmSync(path.join(layerPaths.runtime, 'nodejs'), { recursive: true, force: true });
  const ortTarget = path.join(nodeModules, 'onnxruntime-node');
  for (const entry of ['package.json', 'dist', 'LICENSE', 'README.md']) {
    copyIfPresent(path.join(ortSource, entry), path.join(ortTarget, entry));
  }
  fs.cpSync(path.join(ortSource, binaries), path.join(ortTarget, binaries), { recursive: true });
  const commonTarget = path.join(nodeModules, 'onnxruntime-common');
  for (const entry of ['package.json', 'dist', 'LICENSE', 'README.md']) {
    copyIfPresent(path.join(commonSource, entry), path.join(commonTarget, entry));
  }
  // Source maps and type declarations are dead weight in Lambda.
  removeMatching(nodeModules, (name) => name.endsWith('.map') || name.endsWith('.d.ts'));
  return folderBytes(layerPaths.runtime);
}

/** Ensures the models layer folder exists; a README stands in until a baseline model is built. */
export function buildModelsLayer(): string[] {
  fs.mkdirSync(baselineModelsDir, { recursive: true });
  const modelFiles = fs.readdirSync(baselineModelsDir).filter((name) => name !== 'README.md');
  const readme = path.join(baselineModelsDir, 'README.md');
  if (modelFiles.length === 0) {
    // An empty folder is not a valid asset; a README keeps synth working from a fresh clone.
    fs.writeFileSync(
      readme,
      '# Baseline models\n\nNo baseline model has been built yet. Artifacts placed in this folder\n' +
        '(layers/models/build/models/) ship in the models layer and unpack to /opt/models.\n',
    );
  } else {
    fs.rmSync(readme, { force: true });
  }
  return modelFiles;
}

/** Puts the ffmpeg binary for `architecture` at layers/ffmpeg/bin/ffmpeg; returns its path. */
export function buildFfmpegLayer(architecture: LayerArchitecture): string {
  const name = `@ffmpeg-installer/linux-${architecture}`;
  const locked = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')).packages[
    `node_modules/${name}`
  ] as { version: string; integrity: string } | undefined;
  if (!locked) throw new Error(`${name} is not in package-lock.json`);
  const binary = path.join(layerPaths.ffmpeg, 'bin', 'ffmpeg');
  const stamp = path.join(layerPaths.ffmpeg, 'SOURCE');
  const wanted = `${name}@${locked.version}\n`;
  if (fs.existsSync(binary) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === wanted)
    return binary;
  fs.rmSync(layerPaths.ffmpeg, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(binary), { recursive: true });
  const installed = path.join(repoRoot, 'node_modules', name, 'ffmpeg');
  if (fs.existsSync(installed)) {
    fs.copyFileSync(installed, binary);
  } else {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'marquee-ffmpeg-layer-'));
    try {
      const tarball = execFileSync('npm', ['pack', `${name}@${locked.version}`, '--pack-destination', work], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      })
        .trim()
        .split('\n')
        .at(-1)!;
      const bytes = fs.readFileSync(path.join(work, tarball));
      const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
      if (integrity !== locked.integrity)
        throw new Error(`${tarball} does not match package-lock.json's integrity`);
      execFileSync('tar', ['-xzf', path.join(work, tarball), '-C', work, 'package/ffmpeg']);
      fs.copyFileSync(path.join(work, 'package', 'ffmpeg'), binary);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  fs.chmodSync(binary, 0o755);
  fs.writeFileSync(stamp, wanted);
  return binary;
}

/**
 * Netflix's VMAF v0.6.1 model in the format libvmaf 1.x (the ffmpeg 4.1 build's) reads, with its
 * licence (BSD-2-Clause-Patent, which asks binary redistributions to carry it). The files may not sit
 * in this repository, so the build takes them from Netflix/vmaf at a pinned commit (the parent of
 * 669c29d1, which renamed the models), each checked against the SHA-256 below.
 */
export const VMAF_MODEL = {
  commit: 'd59a7eb00217d5f58726218e2f8648dcf5151b49',
  files: {
    'vmaf_v0.6.1.pkl': {
      path: 'model/vmaf_v0.6.1.pkl',
      sha256: '5bc3153113be986e919d6135c6c4e0506b0d260f6b28407642faf8c4708fba80',
    },
    'vmaf_v0.6.1.pkl.model': {
      path: 'model/vmaf_v0.6.1.pkl.model',
      sha256: 'e5a590c483ebec388aa0c5ecc88aeda354a0e4fcd94b52db0cc4d4c1ba17c29d',
    },
    LICENSE: { path: 'LICENSE', sha256: 'a6fdb51d02b9dfe198e55534bb8047fe6d756eda117f4ff83de98f92c1952710' },
  },
} as const;

/** Where a file of the pinned commit is downloaded from when no local copy is at hand. */
const vmafFileUrl = (file: string) =>
  `https://raw.githubusercontent.com/Netflix/vmaf/${VMAF_MODEL.commit}/${file}`;

/**
 * Folders searched for the model files before downloading: MARQUEE_VMAF_MODEL_DIR, then the shared
 * data beside the repository (how tests and offline synths get them). Any copy must match the pins.
 */
export function vmafModelSources(): string[] {
  return [process.env.MARQUEE_VMAF_MODEL_DIR, path.resolve(repoRoot, '..', 'shared', 'data', 'vmaf')].filter(
    (dir): dir is string => Boolean(dir),
  );
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * Puts the VMAF model files into `target` (default layers/ffmpeg/vmaf, /opt/vmaf in Lambda), each from
 * the first of: `target` itself, a folder of `sources`, the pinned commit over HTTPS; every copy is
 * checked against its SHA-256 and a mismatch stops the build. Returns `target`.
 */
export function buildVmafModel(
  target = path.join(layerPaths.ffmpeg, 'vmaf'),
  sources = vmafModelSources(),
  download: (url: string) => Buffer = downloadSync,
): string {
  fs.mkdirSync(target, { recursive: true });
  for (const [name, pin] of Object.entries(VMAF_MODEL.files)) {
    const placed = path.join(target, name);
    if (fs.existsSync(placed) && sha256(fs.readFileSync(placed)) === pin.sha256) continue;
    const local = sources.map((dir) => path.join(dir, name)).find((file) => fs.existsSync(file));
    const bytes = local ? fs.readFileSync(local) : download(vmafFileUrl(pin.path));
    const found = sha256(bytes);
    if (found !== pin.sha256)
      throw new Error(`${local ?? vmafFileUrl(pin.path)}: SHA-256 ${found} is not the pinned ${pin.sha256}`);
    fs.writeFileSync(placed, bytes);
  }
  return target;
}

/** The bytes at `url`, fetched by a child Node process (the layer build is synchronous). */
function downloadSync(url: string): Buffer {
  const script =
    'const r = await fetch(process.argv[1]); if (!r.ok) throw new Error(r.status + " " + r.statusText);' +
    ' process.stdout.write(Buffer.from(await r.arrayBuffer()));';
  return execFileSync(process.execPath, ['--input-type=module', '-e', script, url], {
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** The folder Node would load `name` from, starting at `fromDir` (package `exports` hide package.json). */
function installedPackageDir(name: string, fromDir: string): string {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`${name} is not installed above ${fromDir}`);
  }
}

function copyIfPresent(source: string, target: string): void {
  if (fs.existsSync(source)) fs.cpSync(source, target, { recursive: true });
}

function removeMatching(dir: string, matches: (name: string) => boolean): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) removeMatching(full, matches);
    else if (matches(entry.name)) fs.rmSync(full);
  }
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(full) : fs.statSync(full).size;
  }
  return total;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const architecture = (process.argv[2] ?? 'arm64') as LayerArchitecture;
  const result = buildLayers(architecture);
  console.log(
    `runtime layer (${architecture}): ${(result.runtimeBytes / 1e6).toFixed(1)} MB in ${result.runtimeDir}\n` +
      `models layer: ${result.modelFiles.length} model file(s) in ${result.modelsDir}`,
  );
}
