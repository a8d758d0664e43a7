/** Mounts a uPlot chart, sized to its container and redrawn when the data changes. */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export function UPlotChart({
  options,
  data,
  height = 220,
}: {
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  height?: number;
}) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const width = () => Math.max(240, element.clientWidth);
    const chart = new uPlot({ ...options, width: width(), height }, data, element);
    const observer = new ResizeObserver(() => chart.setSize({ width: width(), height }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [options, data, height]);
  return <div class="chart" ref={container} />;
}

/** Series colours, distinguishable and readable on white. */
export const PALETTE = [
  '#1f6feb',
  '#d1495b',
  '#2a9d8f',
  '#e9a03b',
  '#6f42c1',
  '#3d5a80',
  '#8d6e63',
  '#00838f',
];

/** Axis labels for category positions 0..n-1. */
export const categoryAxis = (labels: string[]): uPlot.Axis => ({
  values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? (labels[i] ?? '') : '')),
  splits: () => labels.map((_, i) => i),
});
