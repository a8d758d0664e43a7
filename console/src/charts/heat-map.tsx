/** A 7x24 grid (weekday by UTC hour), darker where more happened; the counts behind a toggle. */
import { Figure } from '../components/figure.tsx';

export const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function WeekHourHeatMap({ title, counts, id }: { title: string; counts: number[][]; id?: string }) {
  const max = Math.max(1, ...counts.flat());
  const hours = Array.from({ length: 24 }, (_, h) => h);
  return (
    <Figure
      title={title}
      id={id}
      table={{
        columns: ['day', ...hours.map((h) => `${h}h`)],
        rows: counts.map((row, d) => [WEEKDAYS[d], ...row]),
      }}
    >
      <div
        class="heat-map"
        role="img"
        aria-label={`${title}; the numbers are in the table behind the toggle`}
      >
        <span />
        {hours.map((h) => (
          <span key={h} class="heat-hour">
            {h % 3 === 0 ? h : ''}
          </span>
        ))}
        {counts.map((row, d) => [
          <span key={`d${WEEKDAYS[d]}`} class="heat-day">
            {WEEKDAYS[d]}
          </span>,
          ...row.map((count, h) => (
            <span
              key={`${WEEKDAYS[d]}${hours[h]}`}
              class="heat-cell"
              title={`${WEEKDAYS[d]} ${h}:00 UTC: ${count}`}
              style={{ background: `rgba(31, 111, 235, ${(count / max).toFixed(3)})` }}
            />
          )),
        ])}
      </div>
    </Figure>
  );
}
