import { describe, expect, it } from 'vitest';
import { DevAuthority } from '#local/dev-auth.ts';
import { type EventBridgeEvent, LocalEventBus, matchesPattern } from '#local/event-bus.ts';
import { matchRoute } from '#local/gateway.ts';
import { parseSchedule, ScheduleExpressionError } from '#local/schedule.ts';
import { encodeEventKey, toLambdaS3Event } from '#local/s3-notifications.ts';
import { eventRules, schedules } from '#platform/declaration.ts';

describe('schedules', () => {
  it('fires a daily cron only at its minute, in UTC', () => {
    const nightly = parseSchedule('cron(0 3 * * ? *)');
    expect(nightly.isDue(new Date('2026-11-29T03:00:30Z'))).toBe(true);
    expect(nightly.isDue(new Date('2026-11-29T03:01:00Z'))).toBe(false);
    expect(nightly.isDue(new Date('2026-11-29T04:00:00Z'))).toBe(false);
  });

  it('understands day names, ranges and steps', () => {
    const weekdays = parseSchedule('cron(*/15 9-17 ? * MON-FRI *)');
    expect(weekdays.isDue(new Date('2026-11-30T09:45:00Z'))).toBe(true); // Monday
    expect(weekdays.isDue(new Date('2026-11-29T09:45:00Z'))).toBe(false); // Sunday
    expect(weekdays.isDue(new Date('2026-11-30T09:50:00Z'))).toBe(false);
  });

  it('counts rate schedules from their start', () => {
    const anchor = new Date('2026-11-29T10:00:00Z');
    const every6h = parseSchedule('rate(6 hours)', anchor);
    expect(every6h.isDue(new Date('2026-11-29T16:00:00Z'))).toBe(true);
    expect(every6h.isDue(new Date('2026-11-29T13:00:00Z'))).toBe(false);
    expect(every6h.isDue(anchor)).toBe(false);
  });

  it('rejects malformed expressions with a reason', () => {
    expect(() => parseSchedule('cron(0 3 * * * *)')).toThrow(ScheduleExpressionError);
    expect(() => parseSchedule('cron(0 25 * * ? *)')).toThrow(/outside 0-23/);
    expect(() => parseSchedule('every day')).toThrow(/rate\(\.\.\.\) or cron/);
  });

  it('parses every declared schedule', () => {
    for (const s of schedules) expect(() => parseSchedule(s.expression)).not.toThrow();
  });
});

describe('the bus clock', () => {
  const recordingBus = () => {
    const invoked: EventBridgeEvent[] = [];
    const bus = new LocalEventBus(async (_fn, event) => {
      invoked.push(event);
    });
    return { bus, invoked };
  };

  it('fires the declared schedules due in a minute, as Scheduled Events naming their rule', async () => {
    // Prepare
    const { bus, invoked } = recordingBus();
    const at = new Date('2026-11-29T03:00:00Z');

    // Act
    const fired = bus.tick(at);
    await bus.drain();

    // Assess
    const due = schedules.filter((s) => parseSchedule(s.expression).isDue(at)).map((s) => s.id);
    expect(due.length).toBeGreaterThan(0);
    expect(fired).toEqual(due);
    expect(invoked.map((e) => e.resources)).toEqual(
      due.map((id) => [`arn:aws:events:us-east-1:000000000000:rule/${id}`]),
    );
    expect(invoked.every((e) => e['detail-type'] === 'Scheduled Event' && e.time === at.toISOString())).toBe(
      true,
    );
  });

  it('fires the same schedules tick after tick, and none in a minute nothing is due', () => {
    const { bus } = recordingBus();
    const quarterPast = new Date('2026-11-29T10:15:00Z');
    const due = schedules.filter((s) => parseSchedule(s.expression).isDue(quarterPast)).map((s) => s.id);

    expect(due.length).toBeGreaterThan(0);
    expect(bus.tick(quarterPast)).toEqual(due);
    expect(bus.tick(quarterPast)).toEqual(due);
    expect(bus.tick(new Date('2026-11-29T10:16:00Z'))).toEqual([]);
  });
});

describe('event patterns', () => {
  const jobRule = eventRules.find((r) => r.id === 'mediaconvert-job-state')!;

  it('matches MediaConvert job state changes and nothing else', () => {
    const event = {
      source: 'aws.mediaconvert',
      'detail-type': 'MediaConvert Job State Change',
      detail: { status: 'COMPLETE' },
    };
    expect(matchesPattern(jobRule.pattern, event)).toBe(true);
    expect(matchesPattern(jobRule.pattern, { ...event, source: 'aws.s3' })).toBe(false);
    expect(matchesPattern(jobRule.pattern, { ...event, 'detail-type': 'Job Progress' })).toBe(false);
  });

  it('matches nested detail fields, prefixes and anything-but', () => {
    const pattern = {
      source: ['a'],
      detail: { status: ['ERROR', 'COMPLETE'], key: [{ prefix: 'uploads/' }], q: [{ 'anything-but': 'x' }] },
    };
    expect(
      matchesPattern(pattern, { source: 'a', detail: { status: 'ERROR', key: 'uploads/a.mp4', q: 'y' } }),
    ).toBe(true);
    expect(
      matchesPattern(pattern, {
        source: 'a',
        detail: { status: 'PROGRESSING', key: 'uploads/a.mp4', q: 'y' },
      }),
    ).toBe(false);
    expect(
      matchesPattern(pattern, { source: 'a', detail: { status: 'ERROR', key: 'other/a.mp4', q: 'y' } }),
    ).toBe(false);
    expect(
      matchesPattern(pattern, { source: 'a', detail: { status: 'ERROR', key: 'uploads/a.mp4', q: 'x' } }),
    ).toBe(false);
  });
});

describe('S3 notifications', () => {
  it('encodes keys the way S3 does: spaces as +, reserved characters escaped, slashes kept', () => {
    expect(encodeEventKey('masters/My Film (final).mp4')).toBe('masters/My+Film+%28final%29.mp4');
    expect(encodeEventKey('a+b/ü.mov')).toBe('a%2Bb/%C3%BC.mov');
  });

  it('turns an s3rver record into an eventVersion 2.1 record', () => {
    const event = toLambdaS3Event({
      eventName: 'ObjectCreated:Put',
      eventTime: '2026-11-29T10:00:00.000Z',
      s3: {
        bucket: { name: 'marquee-uploads' },
        object: { key: 'a b.mp4', size: 10, eTag: 'abc', sequencer: '1' },
      },
    });
    expect(event.Records[0]).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      s3: { object: { key: 'a+b.mp4', size: 10 } },
    });
  });
});

describe('gateway routing', () => {
  it('prefers literal segments over parameters, like API Gateway', () => {
    expect(matchRoute('POST', '/items/batch')?.route.operation).toBe('putItems');
    expect(matchRoute('GET', '/items/batch')?.route.operation).toBe('getItem');
    expect(matchRoute('GET', '/items/a%20b/similar')?.pathParameters).toEqual({ itemId: 'a b' });
    expect(matchRoute('GET', '/nowhere')).toBeUndefined();
  });
});

describe('dev tokens', () => {
  it('verifies its own tokens and rejects forged or expired ones', () => {
    const authority = new DevAuthority();
    const token = authority.issue('dev', ['marquee/read']);
    expect(authority.verify(token)?.scopes).toEqual(['marquee/read']);
    expect(new DevAuthority().verify(token)).toBeUndefined();
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ scope: 'marquee/admin', exp: 9e9 })).toString('base64url')}.${s}`;
    expect(authority.verify(forged)).toBeUndefined();
    expect(authority.verify(authority.issue('dev', ['marquee/read'], -10))).toBeUndefined();
  });
});
