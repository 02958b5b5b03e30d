// A small line-chart writer for the report: plain SVG, log or linear axes,
// no dependencies, readable in GitHub's markdown preview.

export interface Series {
  name: string;
  color: string;
  dashed?: boolean;
  points: { x: number; y: number }[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  logY?: boolean;
  xTicks: { value: number; label: string }[];
  /** Horizontal reference line, e.g. a goal. */
  reference?: { y: number; label: string };
  /** Tick label of a y value (default: plain numbers). */
  yFormat?: (value: number) => string;
  width?: number;
  height?: number;
}

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function niceLinearTicks(min: number, max: number): number[] {
  const span = max - min || 1;
  const step = 10 ** Math.floor(Math.log10(span / 4));
  const multiple = [1, 2, 5, 10].find((m) => span / (m * step) <= 6) ?? 10;
  const size = multiple * step;
  const ticks: number[] = [];
  const last = Math.ceil(max / size) * size;
  for (let value = Math.floor(min / size) * size; value <= last + size / 2; value += size) ticks.push(Number(value.toPrecision(12)));
  return ticks;
}

function formatTick(value: number): string {
  if (value === 0) return "0";
  if (Math.abs(value) >= 1000) return value.toLocaleString("en-US", { maximumFractionDigits: 0 });
  if (Math.abs(value) >= 1) return String(Number(value.toPrecision(3)));
  return String(Number(value.toPrecision(2)));
}

/** 1k, 10M, 1G: short labels for powers of ten. */
export function siTick(value: number): string {
  for (const [size, unit] of [[1e9, "G"], [1e6, "M"], [1e3, "k"]] as const) if (value >= size) return `${Number((value / size).toPrecision(3))}${unit}`;
  return formatTick(value);
}

export function lineChart(series: Series[], options: ChartOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 400;
  const margin = { top: 48, right: 190, bottom: 56, left: 78 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const points = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y) && (!options.logY || p.y > 0));
  const ys = [...points.map((p) => p.y), ...(options.reference ? [options.reference.y] : [])];
  const xs = [...points.map((p) => p.x), ...options.xTicks.map((t) => t.value)];

  const transform = (log: boolean | undefined) => (v: number) => (log ? Math.log10(v) : v);
  const tx = transform(options.logX);
  const ty = transform(options.logY);
  let [yMin, yMax] = [Math.min(...ys), Math.max(...ys)];
  let yTicks: number[];
  if (options.logY) {
    yMin = 10 ** Math.floor(Math.log10(yMin));
    yMax = 10 ** Math.ceil(Math.log10(yMax));
    yTicks = [];
    for (let v = yMin; v <= yMax * 1.0001; v *= 10) yTicks.push(v);
  } else {
    yMin = Math.min(0, yMin);
    yTicks = niceLinearTicks(yMin, yMax);
    yMax = yTicks.at(-1)!;
  }
  const [xMin, xMax] = [Math.min(...xs.map(tx)), Math.max(...xs.map(tx))];
  const px = (x: number) => margin.left + ((tx(x) - xMin) / (xMax - xMin || 1)) * plotWidth;
  const py = (y: number) => margin.top + plotHeight - ((ty(y) - ty(yMin)) / (ty(yMax) - ty(yMin) || 1)) * plotHeight;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${margin.left}" y="24" font-size="15" font-weight="600" fill="#111">${escape(options.title)}</text>`,
  );
  for (const tick of yTicks) {
    const y = py(tick);
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${y}" y2="${y}" stroke="#e5e7eb"/>`,
      `<text x="${margin.left - 8}" y="${y + 4}" text-anchor="end" fill="#374151">${escape((options.yFormat ?? formatTick)(tick))}</text>`,
    );
  }
  for (const tick of options.xTicks) {
    const x = px(tick.value);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#f3f4f6"/>`,
      `<text x="${x}" y="${margin.top + plotHeight + 18}" text-anchor="middle" fill="#374151">${escape(tick.label)}</text>`,
    );
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#9ca3af"/>`,
    `<text x="${margin.left + plotWidth / 2}" y="${height - 12}" text-anchor="middle" fill="#111">${escape(options.xLabel)}</text>`,
    `<text transform="translate(18 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" fill="#111">${escape(options.yLabel)}</text>`,
  );
  if (options.reference) {
    const y = py(options.reference.y);
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${y}" y2="${y}" stroke="#dc2626" stroke-dasharray="2 4"/>`,
      `<text x="${margin.left + plotWidth - 4}" y="${y - 6}" text-anchor="end" fill="#dc2626">${escape(options.reference.label)}</text>`,
    );
  }
  series.forEach((s, index) => {
    const visible = s.points.filter((p) => Number.isFinite(p.y) && (!options.logY || p.y > 0));
    const path = visible.map((p, i) => `${i ? "L" : "M"}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(" ");
    parts.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2.2"${s.dashed ? ` stroke-dasharray="6 4"` : ""}/>`);
    for (const p of visible) parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3.5" fill="${s.color}"/>`);
    const ly = margin.top + 8 + index * 22;
    const lx = margin.left + plotWidth + 16;
    parts.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2.2"${s.dashed ? ` stroke-dasharray="6 4"` : ""}/>`,
      `<text x="${lx + 30}" y="${ly + 4}" fill="#111">${escape(s.name)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
