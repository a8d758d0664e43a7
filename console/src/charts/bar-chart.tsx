/**
 * Horizontal bars over named categories (segments, genres, histogram bins): long labels stay
 * readable beside their bar, which category axes under vertical bars could not do. The numbers are
 * behind the toggle as with every chart.
 */
import { Figure } from '../components/figure.tsx';
import { figure } from '../format.ts';
import { PALETTE } from './uplot-chart.tsx';

export function BarChart(props: {
  title: string;
  categories: string[];
  values: number[];
  valueName: string;
  categoryName: string;
  id?: string;
}) {
  const { categories, values } = props;
  const max = Math.max(0, ...values);
  return (
    <Figure
      title={props.title}
      id={props.id}
      table={{
        columns: [props.categoryName, props.valueName],
        rows: categories.map((c, i) => [c, values[i]]),
      }}
    >
      <div
        class="bars"
        role="img"
        aria-label={`${props.title}; the numbers are in the table behind the toggle`}
      >
        {categories.map((category, i) => (
          <div class="bar-row" key={category}>
            <span class="bar-label">{category}</span>
            <span class="bar-track">
              <span
                class="bar"
                style={{ width: `${max > 0 ? (values[i] / max) * 100 : 0}%`, background: PALETTE[0] }}
              />
            </span>
            <span class="bar-value">{figure(values[i])}</span>
          </div>
        ))}
      </div>
    </Figure>
  );
}
