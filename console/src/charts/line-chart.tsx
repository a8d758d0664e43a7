/** Lines over categories (model versions, days): one series per name, the numbers behind a toggle. */
import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import { Figure } from '../components/figure.tsx';
import { categoryAxis, PALETTE, UPlotChart } from './uplot-chart.tsx';

export interface LineSeries {
  name: string;
  /** One value per category; null where the series has none. */
  values: (number | null)[];
}

export function LineChart(props: {
  title: string;
  categories: string[];
  series: LineSeries[];
  id?: string;
  categoryName?: string;
}) {
  const { categories, series } = props;
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      scales: { x: { time: false } },
      axes: [categoryAxis(categories), {}],
      series: [
        { label: props.categoryName ?? 'category', value: (_u, i) => categories[i] ?? '' },
        ...series.map((s, i) => ({
          label: s.name,
          stroke: PALETTE[i % PALETTE.length],
          width: 2,
          points: { show: true },
        })),
      ],
    }),
    [categories, series, props.categoryName],
  );
  const data = useMemo<uPlot.AlignedData>(
    () => [categories.map((_, i) => i), ...series.map((s) => s.values)],
    [categories, series],
  );
  const table = {
    columns: [props.categoryName ?? 'category', ...series.map((s) => s.name)],
    rows: categories.map((c, i) => [c, ...series.map((s) => s.values[i] ?? '')]),
  };
  return (
    <Figure title={props.title} table={table} id={props.id}>
      <UPlotChart options={options} data={data} />
    </Figure>
  );
}
