/** The page's three kinds of chart: the cumulative net PnL line, stacked bars per pair, and the scatter. */
import { minute, pct } from './format.js';
import {
  axisValues,
  empty,
  extent,
  frame,
  GRID_COLOUR,
  HEIGHT_PX,
  PAD_PX,
  scale,
  svgElement,
} from './svg.js';
import type { CumulativePoint, PairRow, ScatterPoint } from './view.js';

const NO_TRADES = 'no closed trades yet';
export const GAIN_COLOUR = '#1a7f4b';
export const LOSS_COLOUR = '#c0392b';
const LINE_COLOUR = '#2f5bd3';

function chart(selector: string): SVGSVGElement {
  return document.querySelector<SVGSVGElement>(selector)!;
}

export function drawCumulative(points: readonly CumulativePoint[]): void {
  const svg = chart('#cumulative svg');
  if (points.length === 0) return empty(svg, NO_TRADES);
  const times = points.map((point) => point.timeMs);
  const { y, widthPx } = frame(svg, extent([...points.map((point) => point.netPnl), 0]), (v) => v.toFixed(2));
  const x = scale(extent(times), [PAD_PX.l, widthPx - PAD_PX.r]);
  const d = points
    .map((point, i) => (i ? 'L' : 'M') + x(point.timeMs).toFixed(1) + ',' + y(point.netPnl).toFixed(1))
    .join('');
  svg.appendChild(
    svgElement('path', { d, fill: 'none', stroke: LINE_COLOUR, 'stroke-width': 2, class: 'series' }),
  );
  svg.appendChild(svgElement('text', { x: PAD_PX.l, y: HEIGHT_PX - 12 }, minute(times[0]!)));
  svg.appendChild(
    svgElement(
      'text',
      { x: widthPx - PAD_PX.r, y: HEIGHT_PX - 12, 'text-anchor': 'end' },
      minute(times.at(-1)!),
    ),
  );
}

/** One stack of a bar: the figure of the pair it shows and its colour for a value. */
interface BarStack {
  key: 'netPnl' | 'long' | 'short';
  colour: (value: number) => string;
}

/** Bars per pair, each the stacks' values piled up from zero (positive ones up, negative ones down). */
export function drawBars(
  selector: string,
  rows: readonly PairRow[],
  stacks: readonly BarStack[],
  label: (value: number) => string,
  integer: boolean,
): void {
  const svg = chart(selector);
  if (rows.length === 0) return empty(svg, NO_TRADES);
  const values = [0];
  for (const row of rows) {
    let up = 0;
    let down = 0;
    for (const stack of stacks) {
      const value = row[stack.key];
      if (value >= 0) up += value;
      else down += value;
    }
    values.push(up, down);
  }
  const domain = integer ? ([Math.min(...values), Math.max(1, ...values)] as const) : extent(values);
  const { y, widthPx } = frame(svg, domain, label, integer);
  const band = (widthPx - PAD_PX.l - PAD_PX.r) / rows.length;
  rows.forEach((row, i) => {
    let up = 0;
    let down = 0;
    for (const stack of stacks) {
      const value = row[stack.key];
      const base = value >= 0 ? up : down;
      const top = base + value;
      if (value >= 0) up = top;
      else down = top;
      const y0 = y(base);
      const y1 = y(top);
      svg.appendChild(
        svgElement('rect', {
          x: PAD_PX.l + i * band + band * 0.15,
          width: band * 0.7,
          y: Math.min(y0, y1),
          height: Math.max(1, Math.abs(y1 - y0)),
          fill: stack.colour(value),
          class: 'bar',
        }),
      );
    }
    svg.appendChild(
      svgElement(
        'text',
        { x: PAD_PX.l + (i + 0.5) * band, y: HEIGHT_PX - 22, 'text-anchor': 'middle' },
        row.symbol.replace(/USDT$/, ''),
      ),
    );
  });
}

export function drawScatter(points: readonly ScatterPoint[]): void {
  const svg = chart('#scatter svg');
  document.getElementById('scatter-count')!.textContent = String(points.length);
  if (points.length === 0) return empty(svg, NO_TRADES);
  const { y, widthPx } = frame(svg, extent([...points.map((point) => point.realisedReturn), 0]), pct);
  const xDomain = extent([...points.map((point) => point.prediction), 0]);
  const x = scale(xDomain, [PAD_PX.l + 6, widthPx - PAD_PX.r - 6]);
  for (const value of axisValues(xDomain, false)) {
    svg.appendChild(
      svgElement('line', {
        x1: x(value),
        x2: x(value),
        y1: PAD_PX.t,
        y2: HEIGHT_PX - PAD_PX.b,
        stroke: GRID_COLOUR,
      }),
    );
    svg.appendChild(
      svgElement(
        'text',
        { x: x(value), y: HEIGHT_PX - PAD_PX.b + 14, 'text-anchor': 'middle', class: 'x-tick' },
        pct(value),
      ),
    );
  }
  for (const point of points) {
    const dot = svgElement('circle', {
      cx: x(point.prediction),
      cy: y(point.realisedReturn),
      r: 3.5,
      // green when the trade moved the way the model said
      fill: point.prediction * point.realisedReturn > 0 ? GAIN_COLOUR : LOSS_COLOUR,
      'fill-opacity': 0.7,
      class: 'point',
    });
    dot.appendChild(
      svgElement(
        'title',
        {},
        `${point.symbol}: predicted ${pct(point.prediction)}, realised ${pct(point.realisedReturn)}`,
      ),
    );
    svg.appendChild(dot);
  }
  svg.appendChild(
    svgElement('text', { x: widthPx - PAD_PX.r, y: HEIGHT_PX - 4, 'text-anchor': 'end' }, 'prediction →'),
  );
  svg.appendChild(svgElement('text', { x: PAD_PX.l + 4, y: PAD_PX.t + 12 }, '↑ realised'));
}
