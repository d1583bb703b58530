/**
 * The page's tables: a table is a list of columns, each a header and what one row shows in it, so a new
 * field is one more column and nothing else.
 */
import type { Tone } from './format.js';

/** A cell's text, or its text and the colour of the figure's sign. */
type Cell = string | readonly [text: string, tone: Tone];
export type Column<Row> = readonly [header: string, cell: (row: Row) => Cell];

/**
 * Fills the table under `selector` (a section holding one `<table>` with an empty `<thead>` and
 * `<tbody>`): the header once, then one `tr.row` per row, or one 'none' cell when there are no rows.
 */
export function fillTable<Row>(
  selector: string,
  columns: readonly Column<Row>[],
  rows: readonly Row[],
): void {
  const head = document.querySelector(`${selector} thead`)!;
  if (!head.firstChild) {
    const headRow = document.createElement('tr');
    for (const [header] of columns) headRow.appendChild(element('th', header));
    head.appendChild(headRow);
  }
  const body = document.querySelector(`${selector} tbody`)!;
  body.textContent = '';
  if (rows.length === 0) {
    const td = document.createElement('td');
    td.colSpan = columns.length;
    td.className = 'empty';
    td.textContent = 'none';
    body.appendChild(document.createElement('tr')).appendChild(td);
    return;
  }
  for (const row of rows) {
    const tr = document.createElement('tr');
    tr.className = 'row';
    for (const [, cellOf] of columns) {
      const cell = cellOf(row);
      tr.appendChild(typeof cell === 'string' ? element('td', cell) : element('td', cell[0], cell[1]));
    }
    body.appendChild(tr);
  }
}

function element(name: 'th' | 'td', text: string, className: Tone = '') {
  const node = document.createElement(name);
  node.textContent = text;
  if (className) node.className = className;
  return node;
}
