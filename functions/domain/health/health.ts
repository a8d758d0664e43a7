/**
 * Health: each component the API depends on, checked at once with a time limit, and whether the
 * API can serve. Storage is the one it cannot serve without; models only make answers better (the
 * fallback answers before any is trained), so a missing model degrades, it does not fail.
 */

export type ComponentStatus = 'ok' | 'degraded' | 'down';

export interface ComponentHealth {
  status: ComponentStatus;
  /** Round trip of the check, ms. */
  latencyMs?: number;
  /** Why it is not ok, in a sentence. */
  detail?: string;
  /** Component-specific figures (e.g. live model versions). */
  [key: string]: unknown;
}

export interface HealthReport {
  /** ok: every component ok; degraded: serving with something missing; down: cannot serve. */
  status: ComponentStatus;
  /** Whether requests can be answered now. */
  serving: boolean;
  time: string;
  components: Record<string, ComponentHealth>;
}

/** A component check: resolves its health, or throws when the component cannot be reached. */
export type HealthCheck = () => Promise<ComponentHealth>;

/**
 * Runs every check at once, each within `timeoutMs`; a check that throws or is late is `down`.
 * The report is `down` (not serving) when a component in `required` is down.
 */
export async function checkHealth(
  checks: Record<string, HealthCheck>,
  required: readonly string[],
  options: { timeoutMs: number; now?: () => Date },
): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(
      async ([name, check]) => [name, await timed(check, options.timeoutMs)] as const,
    ),
  );
  const components = Object.fromEntries(entries);
  const serving = required.every((name) => components[name]?.status !== 'down');
  const allOk = entries.every(([, health]) => health.status === 'ok');
  return {
    status: !serving ? 'down' : allOk ? 'ok' : 'degraded',
    serving,
    time: (options.now?.() ?? new Date()).toISOString(),
    components,
  };
}

async function timed(check: HealthCheck, timeoutMs: number): Promise<ComponentHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const health = await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ...health, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      status: 'down',
      latencyMs: Math.round(performance.now() - started),
      detail: (error as Error).message,
    };
  } finally {
    clearTimeout(timer);
  }
}
