/** The charts' drawing kit: SVG elements, linear scales, axis values and a framed plot area. */

const SVG_NS = 'http://www.w3.org/2000/svg';
export const HEIGHT_PX = 240;
export const PAD_PX = { l: 64, r: 12, t: 10, b: 40 };
export const GRID_COLOUR = '#e4e7ee';
const ZERO_COLOUR = '#9aa1b2';

type Domain = readonly [lo: number, hi: number];
type Scale = (value: number) => number;

export function svgElement(
  name: string,
  attributes: Record<string, string | number>,
  text?: string,
): SVGElement {
  const node = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The values' range, widened when it is a single value (or none) so a scale over it never divides by 0. */
export function extent(values: readonly number[]): Domain {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (!isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  if (lo === hi) {
    lo -= Math.abs(lo) || 1;
    hi += Math.abs(hi) || 1;
  }
  return [lo, hi];
}

export function scale(domain: Domain, range: Domain): Scale {
  return (value) => range[0] + ((value - domain[0]) / (domain[1] - domain[0])) * (range[1] - range[0]);
}

/** Axis values: five evenly spaced, or for counts whole steps only (never 0, 1, 2, 2, 3). */
export function axisValues(domain: Domain, integer: boolean): number[] {
  const values: number[] = [];
  if (integer) {
    const step = Math.max(1, Math.ceil((domain[1] - domain[0]) / 4));
    for (let value = Math.floor(domain[0] / step) * step; value <= domain[1] + 1e-9; value += step)
      values.push(value);
    return values;
  }
  for (let i = 0; i <= 4; i++) values.push(domain[0] + ((domain[1] - domain[0]) * i) / 4);
  return values;
}

/** Empties the chart and returns its width: drawn at the panel's own width so text is never stretched. */
function clear(svg: SVGSVGElement): number {
  const widthPx = svg.clientWidth || 640;
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  svg.setAttribute('viewBox', `0 0 ${widthPx} ${HEIGHT_PX}`);
  return widthPx;
}

/** A cleared chart with its y grid, labels and zero line drawn; the y scale and the chart's width. */
export function frame(
  svg: SVGSVGElement,
  yDomain: Domain,
  yLabel: (value: number) => string,
  integer = false,
): { y: Scale; widthPx: number } {
  const widthPx = clear(svg);
  const values = axisValues(yDomain, integer);
  const domain: Domain = integer
    ? [Math.min(yDomain[0], values[0]!), Math.max(yDomain[1], values.at(-1)!)]
    : yDomain;
  const y = scale(domain, [HEIGHT_PX - PAD_PX.b, PAD_PX.t]);
  for (const value of values) {
    svg.appendChild(
      svgElement('line', {
        x1: PAD_PX.l,
        x2: widthPx - PAD_PX.r,
        y1: y(value),
        y2: y(value),
        stroke: GRID_COLOUR,
      }),
    );
    svg.appendChild(
      svgElement(
        'text',
        { x: PAD_PX.l - 6, y: y(value) + 4, 'text-anchor': 'end', class: 'y-tick' },
        yLabel(value),
      ),
    );
  }
  if (domain[0] < 0 && domain[1] > 0)
    svg.appendChild(
      svgElement('line', { x1: PAD_PX.l, x2: widthPx - PAD_PX.r, y1: y(0), y2: y(0), stroke: ZERO_COLOUR }),
    );
  return { y, widthPx };
}

/** A cleared chart with a message in its middle. */
export function empty(svg: SVGSVGElement, message: string): void {
  const widthPx = clear(svg);
  svg.appendChild(svgElement('text', { x: widthPx / 2, y: HEIGHT_PX / 2, 'text-anchor': 'middle' }, message));
}
