/**
 * Server-rendered SVG charts for the dashboards. Each chart is an image with a title and a
 * description (role="img", aria-labelledby), text labels on every bar, and is shown beside a table of
 * the same numbers, so nothing is said by colour or shape alone. No script; the markup is escaped here.
 */

const INK = '#212b32';
const GRID = '#d8dde0';
export const RAG_COLOURS = { red: '#d5281b', amber: '#ffb81c', green: '#007f3b' } as const;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const num = (n: number) => n.toLocaleString('en-GB');

function frame(id: string, title: string, desc: string, width: number, height: number, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="fw-chart" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">` +
    `<title id="${id}-title">${escapeXml(title)}</title><desc id="${id}-desc">${escapeXml(desc)}</desc>${body}</svg>`
  );
}

export interface Bar {
  label: string;
  value: number;
  colour?: string;
  /** shown after the bar instead of the value */
  valueLabel?: string;
}

/** Horizontal bars, one per row, each labelled with its name and value. */
export function barChart(opts: { id: string; title: string; desc: string; bars: readonly Bar[]; max?: number }): string {
  const labelWidth = 190;
  const barArea = 300;
  const row = 30;
  const width = labelWidth + barArea + 90;
  const height = Math.max(1, opts.bars.length) * row + 8;
  const max = Math.max(opts.max ?? 0, ...opts.bars.map((b) => b.value), 1);
  const rows = opts.bars
    .map((b, i) => {
      const y = 4 + i * row;
      const w = Math.round((b.value / max) * barArea);
      return (
        `<text x="${labelWidth - 8}" y="${y + 18}" text-anchor="end" font-size="16" fill="${INK}">${escapeXml(b.label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 4}" width="${w}" height="${row - 10}" fill="${b.colour ?? '#005eb8'}"/>` +
        `<text x="${labelWidth + w + 6}" y="${y + 18}" font-size="16" fill="${INK}">${escapeXml(b.valueLabel ?? num(b.value))}</text>`
      );
    })
    .join('');
  return frame(opts.id, opts.title, opts.desc, width, height, `<line x1="${labelWidth}" y1="0" x2="${labelWidth}" y2="${height}" stroke="${GRID}"/>${rows}`);
}

/**
 * Each network's list size as a bar against the footprint: the band between the minimum and the
 * maximum is shaded and its edges are labelled, so a bar short of or past the band reads at a glance.
 */
export function footprintChart(opts: {
  id: string;
  title: string;
  networks: readonly { name: string; listSize: number }[];
  footprint: { minListSize: number; maxListSize: number };
}): string {
  const labelWidth = 190;
  const barArea = 300;
  const row = 30;
  const top = 24;
  const width = labelWidth + barArea + 90;
  const height = top + Math.max(1, opts.networks.length) * row + 8;
  const max = Math.max(opts.footprint.maxListSize * 1.15, ...opts.networks.map((n) => n.listSize), 1);
  const x = (v: number) => labelWidth + Math.round((v / max) * barArea);
  const { minListSize, maxListSize } = opts.footprint;
  const below = opts.networks.filter((n) => n.listSize < minListSize).length;
  const above = opts.networks.filter((n) => n.listSize > maxListSize).length;
  const desc = `List size of each of ${opts.networks.length} networks against the footprint of ${num(minListSize)} to ${num(maxListSize)} patients: ${opts.networks.length - below - above} within, ${below} below, ${above} above.`;
  const band =
    `<rect x="${x(minListSize)}" y="${top - 4}" width="${x(maxListSize) - x(minListSize)}" height="${height - top}" fill="#e8edee"/>` +
    `<text x="${x(minListSize)}" y="14" text-anchor="middle" font-size="14" fill="${INK}">${num(minListSize)}</text>` +
    `<text x="${x(maxListSize)}" y="14" text-anchor="middle" font-size="14" fill="${INK}">${num(maxListSize)}</text>`;
  const rows = opts.networks
    .map((n, i) => {
      const y = top + i * row;
      const status = n.listSize < minListSize ? ' (below)' : n.listSize > maxListSize ? ' (above)' : '';
      return (
        `<text x="${labelWidth - 8}" y="${y + 18}" text-anchor="end" font-size="16" fill="${INK}">${escapeXml(n.name)}</text>` +
        `<rect x="${labelWidth}" y="${y + 4}" width="${x(n.listSize) - labelWidth}" height="${row - 10}" fill="${status ? RAG_COLOURS.red : '#005eb8'}"/>` +
        `<text x="${x(n.listSize) + 6}" y="${y + 18}" font-size="16" fill="${INK}">${num(n.listSize)}${status}</text>`
      );
    })
    .join('');
  return frame(opts.id, opts.title, desc, width, height, band + rows);
}

/** Red, amber and green counts per day as stacked columns, each segment labelled with its count. */
export function ragHistoryChart(opts: {
  id: string;
  title: string;
  days: readonly { day: string; label: string; red: number; amber: number; green: number }[];
}): string {
  const column = 56;
  const left = 8;
  const chartHeight = 180;
  const width = Math.max(1, opts.days.length) * column + left * 2;
  const height = chartHeight + 40;
  const max = Math.max(1, ...opts.days.map((d) => d.red + d.amber + d.green));
  const last = opts.days.at(-1);
  const desc = opts.days.length
    ? `RAG status of the programme's networks on ${opts.days.length} ${opts.days.length === 1 ? 'day' : 'days'} from ${opts.days[0].label} to ${last!.label}; on ${last!.label}: ${last!.red} red, ${last!.amber} amber, ${last!.green} green.`
    : 'No readiness has been recorded yet.';
  const columns = opts.days
    .map((d, i) => {
      const x = left + i * column;
      let y = chartHeight;
      const segments = (['green', 'amber', 'red'] as const)
        .map((rag) => {
          const h = Math.round((d[rag] / max) * (chartHeight - 10));
          y -= h;
          if (h === 0) return '';
          const label =
            h >= 16
              ? `<text x="${x + column / 2 - 4}" y="${y + h / 2 + 5}" text-anchor="middle" font-size="14" fill="${rag === 'amber' ? INK : '#ffffff'}">${d[rag]}</text>`
              : '';
          return `<rect x="${x}" y="${y}" width="${column - 8}" height="${h}" fill="${RAG_COLOURS[rag]}"/>${label}`;
        })
        .join('');
      return `${segments}<text x="${x + column / 2 - 4}" y="${chartHeight + 18}" text-anchor="middle" font-size="14" fill="${INK}">${escapeXml(d.label)}</text>`;
    })
    .join('');
  return frame(opts.id, opts.title, desc, width, height, `<line x1="0" y1="${chartHeight}" x2="${width}" y2="${chartHeight}" stroke="${GRID}"/>${columns}`);
}
