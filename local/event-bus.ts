/**
 * A local EventBridge: applies the declared rules' patterns to put events and runs the declared
 * schedules (rate and cron, UTC), invoking the target functions asynchronously with retries.
 */
import { randomUUID } from 'node:crypto';
import { eventRules, type FunctionId, type ScheduleDeclaration, schedules } from '#platform/declaration.ts';
import { type Schedule, parseSchedule } from './schedule.ts';

export interface BusEvent {
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
  resources?: string[];
  time?: string;
}

export interface EventBridgeEvent extends BusEvent {
  version: '0';
  id: string;
  account: string;
  region: string;
  time: string;
  resources: string[];
}

/**
 * The "Scheduled Event" EventBridge sends a schedule's target at `at`; `rule` (the schedule's id)
 * fills `resources` as the rule's ARN, absent for a run started by hand.
 */
export function scheduledEvent(detail: Record<string, unknown>, at: Date, rule?: string): EventBridgeEvent {
  return {
    version: '0',
    id: randomUUID(),
    account: '000000000000',
    region: 'us-east-1',
    source: 'aws.events',
    'detail-type': 'Scheduled Event',
    resources: rule ? [`arn:aws:events:us-east-1:000000000000:rule/${rule}`] : [],
    time: at.toISOString(),
    detail,
  };
}

type Invoke = (fn: FunctionId, event: EventBridgeEvent) => Promise<unknown>;

/**
 * EventBridge content matching for the subset rules here use: each pattern key lists the allowed
 * values; nested objects match nested fields; `{ prefix }`, `{ exists }` and `{ 'anything-but' }` too.
 */
export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = event[key];
    if (Array.isArray(expected)) {
      const values = Array.isArray(actual) ? actual : [actual];
      return expected.some((rule) => values.some((value) => matchesValue(rule, value, actual !== undefined)));
    }
    if (expected && typeof expected === 'object') {
      return (
        actual !== null &&
        typeof actual === 'object' &&
        matchesPattern(expected as Record<string, unknown>, actual as Record<string, unknown>)
      );
    }
    return false;
  });
}

function matchesValue(rule: unknown, value: unknown, present: boolean): boolean {
  if (rule === null || typeof rule !== 'object') return present && rule === value;
  const r = rule as Record<string, unknown>;
  if ('prefix' in r) return typeof value === 'string' && value.startsWith(String(r.prefix));
  if ('exists' in r) return r.exists === present;
  if ('anything-but' in r) {
    const excluded = Array.isArray(r['anything-but']) ? r['anything-but'] : [r['anything-but']];
    return present && !excluded.includes(value);
  }
  return false;
}

export class LocalEventBus {
  private timers: NodeJS.Timeout[] = [];
  private parsed?: { declared: ScheduleDeclaration; schedule: Schedule }[];
  private readonly inFlight = new Set<Promise<unknown>>();
  readonly delivered: { rule: string; event: EventBridgeEvent }[] = [];

  constructor(
    private readonly invoke: Invoke,
    private readonly log: (line: string) => void = () => {},
    private readonly maxAttempts = 3,
  ) {}

  /** PutEvents: matches every rule and delivers asynchronously; returns the event ids. */
  put(events: BusEvent[]): string[] {
    return events.map((input) => {
      const event: EventBridgeEvent = {
        version: '0',
        id: randomUUID(),
        account: '000000000000',
        region: 'us-east-1',
        resources: [],
        time: new Date().toISOString(),
        ...input,
      };
      for (const rule of eventRules) {
        if (matchesPattern(rule.pattern, event as unknown as Record<string, unknown>)) {
          this.deliver(rule.id, rule.function, event);
        }
      }
      return event.id;
    });
  }

  private deliver(rule: string, fn: FunctionId, event: EventBridgeEvent): void {
    const attempt = async () => {
      for (let n = 1; ; n++) {
        try {
          await this.invoke(fn, event);
          this.delivered.push({ rule, event });
          return;
        } catch (error) {
          if (n >= this.maxAttempts) {
            this.log(
              `[bus] rule ${rule} gave up on ${event.id} after ${n} attempts: ${(error as Error).message}`,
            );
            return;
          }
          await new Promise((r) => setTimeout(r, 200 * n));
        }
      }
    };
    const p = attempt();
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Resolves when every delivery started so far has finished (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Fires the schedules due at `at` (minute resolution); the timers call this every minute. */
  tick(at: Date): string[] {
    const fired: string[] = [];
    for (const { declared, schedule } of this.parsedSchedules()) {
      if (!schedule.isDue(at)) continue;
      fired.push(declared.id);
      this.deliver(declared.id, declared.function, scheduledEvent(declared.detail, at, declared.id));
    }
    return fired;
  }

  /**
   * The declared schedules, parsed on first use. Rate schedules count from the epoch, so
   * `rate(15 minutes)` fires at :00, :15, :30 and :45 UTC whenever the platform started.
   */
  private parsedSchedules(): { declared: ScheduleDeclaration; schedule: Schedule }[] {
    this.parsed ??= schedules.map((declared) => ({ declared, schedule: parseSchedule(declared.expression) }));
    return this.parsed;
  }

  /** Starts the minute clock for the declared schedules. */
  startSchedules(): void {
    // Parse every expression now: a bad one fails `npm start`, not some later minute.
    this.parsedSchedules();
    const msToNextMinute = 60_000 - (Date.now() % 60_000);
    const first = setTimeout(() => {
      this.tick(new Date());
      const every = setInterval(() => this.tick(new Date()), 60_000);
      every.unref();
      this.timers.push(every);
    }, msToNextMinute);
    first.unref();
    this.timers.push(first);
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    await this.drain();
  }
}
