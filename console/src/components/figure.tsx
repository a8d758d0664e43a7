/**
 * A chart with its text alternative: the same numbers as a table behind a toggle button, so a
 * screen reader or a keyboard user gets every figure the picture shows.
 */
import type { ComponentChildren } from 'preact';
import { useId, useState } from 'preact/hooks';
import { TableHead } from './table-head.tsx';

export interface FigureTable {
  columns: string[];
  rows: (string | number)[][];
}

const cell = (value: string | number) =>
  typeof value === 'number' ? (Number.isInteger(value) ? value : Number(value.toPrecision(4))) : value;

export function Figure(props: {
  title: string;
  table: FigureTable;
  children: ComponentChildren;
  id?: string;
}) {
  const [showTable, setShowTable] = useState(false);
  const tableId = useId();
  return (
    <figure class="figure" data-figure={props.id ?? props.title}>
      <figcaption>
        <span>{props.title}</span>
        <button
          type="button"
          class="link-button"
          aria-expanded={showTable}
          aria-controls={tableId}
          onClick={() => setShowTable(!showTable)}
        >
          {showTable ? 'Hide the numbers' : 'Show the numbers'}
        </button>
      </figcaption>
      <div aria-hidden={showTable ? 'true' : undefined}>{props.children}</div>
      <div id={tableId} hidden={!showTable}>
        <table class="numbers">
          <TableHead columns={props.table.columns} />
          <tbody>
            {props.table.rows.map((row, i) => (
              <tr key={i}>
                {row.map((value, j) => (
                  <td key={j}>{cell(value)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
