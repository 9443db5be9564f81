// An SVG chart of p99 latency against graph size: one panel per query kind,
// one line per store, both axes logarithmic. Plain SVG, no dependencies.

const PANEL_WIDTH = 260;
const PANEL_HEIGHT = 190;
const MARGIN = { left: 48, right: 12, top: 28, bottom: 34 };
const COLUMNS = 4;
const COLORS = ['#d6336c', '#1c7ed6', '#37b24d', '#f59f00', '#7048e8', '#495057'];

/**
 * @param {{ size: number, stores: Map<string, any> }[]} datasets generated datasets, by size
 * @param {[string, string][]} kinds query kinds and their labels
 */
export function renderChart(datasets, kinds) {
  const storeNames = [...new Set(datasets.flatMap((dataset) => [...dataset.stores.keys()]))];
  const labels = new Map();
  for (const dataset of datasets) {
    for (const [name, result] of dataset.stores) if (result.label) labels.set(name, result.label);
  }
  const rows = Math.ceil((kinds.length + 1) / COLUMNS);
  const width = COLUMNS * PANEL_WIDTH;
  const height = rows * PANEL_HEIGHT;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="10">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];

  kinds.forEach(([kind, label], index) => {
    const x0 = (index % COLUMNS) * PANEL_WIDTH;
    const y0 = Math.floor(index / COLUMNS) * PANEL_HEIGHT;
    const series = storeNames.map((name) => ({
      name,
      points: datasets
        .map((dataset) => {
          const figures = dataset.stores.get(name)?.latencyMs?.[kind];
          return figures?.status === 'timed' ? [dataset.size, Math.max(figures.p99, 0.001)] : null;
        })
        .filter(Boolean),
    }));
    parts.push(panel(x0, y0, `${label} p99 (ms)`, datasets.map((d) => d.size), series));
  });

  const legendX = ((kinds.length) % COLUMNS) * PANEL_WIDTH + MARGIN.left;
  const legendY = Math.floor(kinds.length / COLUMNS) * PANEL_HEIGHT + MARGIN.top;
  storeNames.forEach((name, i) => {
    const y = legendY + i * 18;
    parts.push(`<line x1="${legendX}" y1="${y}" x2="${legendX + 22}" y2="${y}" stroke="${COLORS[i % COLORS.length]}" stroke-width="2"/>`);
    parts.push(`<text x="${legendX + 28}" y="${y + 3}">${escape(labels.get(name) ?? name)}</text>`);
  });

  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function panel(x0, y0, title, sizes, series) {
  const values = series.flatMap((s) => s.points.map(([, v]) => v));
  const parts = [`<text x="${x0 + MARGIN.left}" y="${y0 + 16}" font-weight="bold">${escape(title)}</text>`];
  if (values.length === 0) return parts.join('\n');

  const xMin = Math.min(...sizes);
  const xMax = Math.max(...sizes);
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const plotWidth = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (size) => x0 + MARGIN.left + (xMax === xMin ? 0 : ((Math.log10(size) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * plotWidth);
  const y = (value) => y0 + MARGIN.top + plotHeight - ((Math.log10(value) - Math.log10(yMin)) / Math.max(1e-9, Math.log10(yMax) - Math.log10(yMin))) * plotHeight;

  for (let decade = yMin; decade <= yMax * 1.0001; decade *= 10) {
    parts.push(`<line x1="${x0 + MARGIN.left}" y1="${y(decade)}" x2="${x0 + MARGIN.left + plotWidth}" y2="${y(decade)}" stroke="#e9ecef"/>`);
    parts.push(`<text x="${x0 + MARGIN.left - 4}" y="${y(decade) + 3}" text-anchor="end">${decade >= 1 ? decade : decade.toPrecision(1)}</text>`);
  }
  for (const size of sizes) {
    parts.push(`<text x="${x(size)}" y="${y0 + PANEL_HEIGHT - MARGIN.bottom + 14}" text-anchor="middle">${size >= 1e6 ? `${size / 1e6}M` : `${size / 1e3}k`}</text>`);
  }
  parts.push(`<rect x="${x0 + MARGIN.left}" y="${y0 + MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#adb5bd"/>`);

  series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const color = COLORS[i % COLORS.length];
    const coordinates = s.points.map(([size, value]) => `${x(size).toFixed(1)},${y(value).toFixed(1)}`);
    parts.push(`<polyline points="${coordinates.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const point of coordinates) {
      const [px, py] = point.split(',');
      parts.push(`<circle cx="${px}" cy="${py}" r="2.5" fill="${color}"/>`);
    }
  });
  return parts.join('\n');
}

function escape(text) {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
