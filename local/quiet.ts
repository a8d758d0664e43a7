/**
 * Quiet by default: the local commands print what a user can act on. Node's process warnings
 * (the AWS SDK's notice that its 2027 releases need Node 22 among them: the README states the
 * supported versions) are shown only with --verbose.
 */
export function quietWarnings(verbose: boolean | undefined): void {
  if (verbose) return;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // Node prints warnings through its own 'warning' listener; without it they are dropped.
  process.removeAllListeners('warning');
  process.on('warning', () => {});
}
