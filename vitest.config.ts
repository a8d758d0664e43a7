import { defineConfig } from 'vitest/config';

// Four tiers: unit (no network), integration (the local runtime on real DynamoDB Local, s3rver
// and ffmpeg), browser (the console in Chromium), infra (CDK template assertions and cdk-nag).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 60_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Each file starts its own emulators; two cores cannot run many at once.
          fileParallelism: false,
        },
      },
      {
        test: {
          // The console in Debian's Chromium against a running local platform (test/browser).
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 240_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
