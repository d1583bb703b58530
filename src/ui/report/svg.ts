/**
 * Tiny SVG chart writers for the report: line/point charts and bar charts as strings, so the report is
 * one self-contained file that opens offline with no chart library at all.
 */

export interface Series {
  name: string;
  color: string;
  points: readonly (readonly [number, number])[];
  /** Draw dots at the points (and no line when `line` is false). */
  markers?: boolean;
  line?: boolean;
  dashed?: boolean;
}

export interface LineChartOptions {
  title: string;
  series: readonly Series[];
  xLabel: string;
  yLabel: string;
  xFormat?: (value: number) => string;
  yFormat?: (value: number) => string;
  /** Horizontal reference lines, e.g. 0 for break-even. */
  yRules?: readonly number[];
  width?: number;
  height?: number;
}

const MARGIN = { top: 44, right: 34, bottom: 42, left: 70 };
const TICKS = 5;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function extent(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let low = Math.min(...finite);
  let high = Math.max(...finite);
  if (low === high) {
    const pad = Math.abs(low) > 0 ? Math.abs(low) * 0.1 : 1;
    low -= pad;
    high += pad;
  }
  return [low, high];
}

const plain = (value: number): string =>
  Math.abs(value) >= 1000 || (Math.abs(value) < 0.01 && value !== 0)
    ? value.toExponential(1)
    : String(+value.toFixed(3));

function frame(title: string, width: number, height: number, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">` +
    `<text x="${width / 2}" y="16" text-anchor="middle" class="chart-title">${escapeXml(title)}</text>${body}</svg>`
  );
}

/** One row of legend entries between the title and the plot, so it never hides data. */
function legend(entries: readonly (readonly [string, string])[]): string {
  let x = MARGIN.left;
  return entries
    .map(([name, color]) => {
      const entry = `<rect x="${x}" y="27" width="10" height="6" fill="${color}"/><text class="legend" x="${x + 14}" y="33">${escapeXml(name)}</text>`;
      x += 24 + name.length * 5.5;
      return entry;
    })
    .join('');
}

export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? 560;
  const height = options.height ?? 280;
  const xFormat = options.xFormat ?? plain;
  const yFormat = options.yFormat ?? plain;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const allPoints = options.series.flatMap((series) => series.points);
  const [xLow, xHigh] = extent(allPoints.map(([x]) => x));
  const [yLow, yHigh] = extent([...allPoints.map(([, y]) => y), ...(options.yRules ?? [])]);
  const sx = (x: number): number => MARGIN.left + ((x - xLow) / (xHigh - xLow)) * plotWidth;
  const sy = (y: number): number => MARGIN.top + (1 - (y - yLow) / (yHigh - yLow)) * plotHeight;

  const parts: string[] = [];
  for (let i = 0; i <= TICKS; i++) {
    const x = xLow + ((xHigh - xLow) * i) / TICKS;
    const y = yLow + ((yHigh - yLow) * i) / TICKS;
    parts.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${sy(y).toFixed(1)}" y2="${sy(y).toFixed(1)}"/>`,
      `<text class="tick" x="${MARGIN.left - 6}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end">${escapeXml(yFormat(y))}</text>`,
      `<text class="tick" x="${sx(x).toFixed(1)}" y="${height - MARGIN.bottom + 16}" text-anchor="middle">${escapeXml(xFormat(x))}</text>`,
    );
  }
  for (const rule of options.yRules ?? []) {
    parts.push(
      `<line class="rule" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${sy(rule).toFixed(1)}" y2="${sy(rule).toFixed(1)}"/>`,
    );
  }
  options.series.forEach((series) => {
    const points = series.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (series.line !== false && points.length > 0) {
      const path = points
        .map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
        .join('');
      parts.push(
        `<path class="series" d="${path}" stroke="${series.color}"${series.dashed ? ' stroke-dasharray="5 4"' : ''}/>`,
      );
    }
    if (series.markers) {
      for (const [x, y] of points)
        parts.push(
          `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${series.color}"/>`,
        );
    }
  });
  parts.push(legend(options.series.map((series) => [series.name, series.color])));
  parts.push(
    `<text class="axis" x="${MARGIN.left + plotWidth / 2}" y="${height - 6}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text class="axis" transform="translate(14 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  );
  return frame(options.title, width, height, parts.join(''));
}

export interface Bar {
  label: string;
  values: readonly (number | null)[];
}

/** Grouped bars (one group per label, one bar per series), with a zero line. */
export function barChart(options: {
  title: string;
  bars: readonly Bar[];
  seriesNames: readonly string[];
  colors: readonly string[];
  yFormat?: (value: number) => string;
  width?: number;
  height?: number;
}): string {
  const width = options.width ?? 560;
  const height = options.height ?? 280;
  const yFormat = options.yFormat ?? plain;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const values = options.bars.flatMap((bar) => bar.values.filter((value): value is number => value !== null));
  const [yLow, yHigh] = extent([0, ...values]);
  const sy = (y: number): number => MARGIN.top + (1 - (y - yLow) / (yHigh - yLow)) * plotHeight;
  const groupWidth = plotWidth / Math.max(1, options.bars.length);
  const barWidth = (groupWidth * 0.8) / Math.max(1, options.seriesNames.length);
  const parts: string[] = [];
  for (let i = 0; i <= TICKS; i++) {
    const y = yLow + ((yHigh - yLow) * i) / TICKS;
    parts.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${sy(y).toFixed(1)}" y2="${sy(y).toFixed(1)}"/>`,
      `<text class="tick" x="${MARGIN.left - 6}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end">${escapeXml(yFormat(y))}</text>`,
    );
  }
  parts.push(
    `<line class="rule" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${sy(0).toFixed(1)}" y2="${sy(0).toFixed(1)}"/>`,
  );
  options.bars.forEach((bar, group) => {
    const groupX = MARGIN.left + group * groupWidth + groupWidth * 0.1;
    bar.values.forEach((value, series) => {
      if (value === null) return;
      const top = Math.min(sy(value), sy(0));
      const x = groupX + series * barWidth;
      parts.push(
        `<path class="bar" d="M${x.toFixed(1)},${top.toFixed(1)}h${barWidth.toFixed(1)}v${Math.abs(sy(value) - sy(0)).toFixed(1)}h${(-barWidth).toFixed(1)}Z" fill="${options.colors[series]}"><title>${escapeXml(`${bar.label} ${options.seriesNames[series]}: ${yFormat(value)}`)}</title></path>`,
      );
    });
    parts.push(
      `<text class="tick" x="${(groupX + groupWidth * 0.4).toFixed(1)}" y="${height - MARGIN.bottom + 16}" text-anchor="middle">${escapeXml(bar.label)}</text>`,
    );
  });
  parts.push(legend(options.seriesNames.map((name, index) => [name, options.colors[index]!])));
  return frame(options.title, width, height, parts.join(''));
}
