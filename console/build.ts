/**
 * Builds the static site: the console (esbuild: Preact, uPlot, hls.js, the typed client) under
 * `console/` and the API reference (Swagger UI's own npm files) under `docs/`. The same folder is
 * served by the local gateway and deployed to S3 behind CloudFront; `config.json` is written beside
 * it by whoever serves it (the local site, or the Console stack).
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type BuildOptions, build, buildSync } from 'esbuild';

export type { ConsoleAuth, ConsoleConfig } from './src/config-types.ts';

const require = createRequire(import.meta.url);
const here = import.meta.dirname;

const esbuildOptions = (outdir: string, minify: boolean): BuildOptions => ({
  entryPoints: { app: path.join(here, 'src', 'main.tsx') },
  outdir: path.join(outdir, 'console'),
  bundle: true,
  splitting: true,
  format: 'esm',
  target: ['chrome120', 'firefox120', 'safari17'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'silent',
  define: { 'process.env.NODE_ENV': minify ? '"production"' : '"development"' },
});

/** The files every site has beside the bundle: the HTML shells and Swagger UI's assets. */
function copyStaticFiles(outdir: string): void {
  const swagger = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  mkdirSync(path.join(outdir, 'docs'), { recursive: true });
  copyFileSync(path.join(here, 'static', 'index.html'), path.join(outdir, 'console', 'index.html'));
  copyFileSync(path.join(here, 'docs', 'index.html'), path.join(outdir, 'docs', 'index.html'));
  copyFileSync(path.join(here, 'docs', 'docs.js'), path.join(outdir, 'docs', 'docs.js'));
  for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
    copyFileSync(path.join(swagger, file), path.join(outdir, 'docs', file));
  }
}

/** Builds the site into `outdir` (emptied first). */
export async function buildSite(outdir: string, options: { minify?: boolean } = {}): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  await build(esbuildOptions(outdir, options.minify ?? true));
  copyStaticFiles(outdir);
}

/** The same, synchronously: CDK constructs are built synchronously. */
export function buildSiteSync(outdir: string, options: { minify?: boolean } = {}): void {
  rmSync(outdir, { recursive: true, force: true });
  buildSync(esbuildOptions(outdir, options.minify ?? true));
  copyStaticFiles(outdir);
}
