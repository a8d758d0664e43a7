/** EventBridge schedule expressions (`rate(...)`, `cron(...)`, UTC) evaluated at minute resolution. */

export interface Schedule {
  /** True when the schedule fires in the minute containing `at`. */
  isDue(at: Date): boolean;
}

export class ScheduleExpressionError extends Error {}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** Expands one cron field (`*`, `?`, `5`, `1-5`, `*\/15`, `MON-FRI`, lists) to the set of values. */
export function expandCronField(
  field: string,
  min: number,
  max: number,
  names: string[] = [],
  nameBase = min,
): Set<number> {
  const values = new Set<number>();
  const toNumber = (token: string) => {
    const byName = names.indexOf(token.toUpperCase());
    const n = byName >= 0 ? byName + nameBase : Number(token);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new ScheduleExpressionError(`'${token}' is outside ${min}-${max}`);
    return n;
  };
  for (const part of field.split(',')) {
    if (/[LW#]/.test(part))
      throw new ScheduleExpressionError(`'${part}': L, W and # are not supported locally`);
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new ScheduleExpressionError(`'${part}' has a bad step`);
    let from: number;
    let to: number;
    if (range === '*' || range === '?') {
      from = min;
      to = max;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      from = toNumber(a);
      to = toNumber(b);
    } else {
      from = toNumber(range);
      to = stepText === undefined ? from : max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/** Parses an EventBridge schedule expression; `anchor` is when a rate schedule starts counting. */
export function parseSchedule(expression: string, anchor: Date = new Date(0)): Schedule {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    if (n < 1) throw new ScheduleExpressionError(`${expression}: the value must be positive`);
    const unitMinutes = rate[2].startsWith('minute') ? 1 : rate[2].startsWith('hour') ? 60 : 1440;
    const periodMinutes = n * unitMinutes;
    const anchorMinute = Math.floor(anchor.getTime() / 60_000);
    return {
      isDue: (at) => {
        const minutes = Math.floor(at.getTime() / 60_000) - anchorMinute;
        return minutes > 0 && minutes % periodMinutes === 0;
      },
    };
  }
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (!cron) throw new ScheduleExpressionError(`${expression}: expected rate(...) or cron(...)`);
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) throw new ScheduleExpressionError(`${expression}: cron needs 6 fields`);
  const [minF, hourF, domF, monthF, dowF, yearF] = fields;
  if ((domF === '?') === (dowF === '?')) {
    throw new ScheduleExpressionError(
      `${expression}: exactly one of day-of-month and day-of-week must be '?'`,
    );
  }
  const minutes = expandCronField(minF, 0, 59);
  const hours = expandCronField(hourF, 0, 23);
  const doms = expandCronField(domF, 1, 31);
  const months = expandCronField(monthF, 1, 12, MONTHS, 1);
  const dows = expandCronField(dowF, 1, 7, DAYS, 1);
  const years = expandCronField(yearF, 1970, 2199);
  return {
    isDue: (at) =>
      minutes.has(at.getUTCMinutes()) &&
      hours.has(at.getUTCHours()) &&
      months.has(at.getUTCMonth() + 1) &&
      years.has(at.getUTCFullYear()) &&
      (domF === '?' ? dows.has(at.getUTCDay() + 1) : doms.has(at.getUTCDate())),
  };
}
