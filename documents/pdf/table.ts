/**
 * Tables for the PDF layout: column widths shared out by content, the header row repeated at the
 * top of each page a table runs onto, and a row taller than a page continued on the next.
 */
import type { Run, TableBlock } from '../document-model';
import { fontFor, textWidth } from './fonts';
import { CELL_LEADING, CELL_PAD, CELL_SIZE, CONTENT_BOTTOM, CONTENT_TOP, Flow, INK, NAVY, PARA_GAP, RULE, TABLE_HEAD } from './page';
import { type Line, wrapRuns } from './wrap';

function columnWidths(table: TableBlock, width: number): number[] {
  const cols = table.header.length;
  const measure = (runs: Run[], bold: boolean) => {
    let max = 0;
    let min = 0;
    const text = runs.map((r) => r.text).join('');
    const font = fontFor({ bold: bold || runs.some((r) => r.bold) }, bold ? 'sans' : 'serif');
    for (const para of text.split('\n')) max = Math.max(max, textWidth(font, para, CELL_SIZE));
    for (const word of text.split(/\s+/)) if (word) min = Math.max(min, textWidth(font, word, CELL_SIZE));
    // a word may take the table's width less 40 pt for each other column; a longer one is broken
    // across lines rather than allowed to squeeze the other columns to nothing
    min = Math.min(min, width - (cols - 1) * 40);
    return { min: min + 2 * CELL_PAD, max: max + 2 * CELL_PAD };
  };
  const mins = new Array<number>(cols).fill(0);
  const maxs = new Array<number>(cols).fill(0);
  const rows: [Run[][], boolean][] = [[table.header, true], ...table.rows.map((r): [Run[][], boolean] => [r, false])];
  for (const [row, bold] of rows) {
    for (let c = 0; c < cols; c++) {
      const m = measure(row[c] ?? [], bold);
      mins[c] = Math.max(mins[c], m.min);
      maxs[c] = Math.max(maxs[c], m.max);
    }
  }
  const sumMax = maxs.reduce((a, b) => a + b, 0);
  const sumMin = mins.reduce((a, b) => a + b, 0);
  if (sumMax <= width) return maxs.map((m) => (m / sumMax) * width);
  if (sumMin >= width) return mins.map((m) => (m / sumMin) * width);
  const spare = width - sumMin;
  const flex = maxs.reduce((a, m, i) => a + (m - mins[i]), 0);
  return mins.map((m, i) => m + (flex > 0 ? ((maxs[i] - m) / flex) * spare : spare / cols));
}

/** Lays a table out down the flow: header repeated on each page, rows taller than a page continued. */
export function layoutTable(flow: Flow, table: TableBlock, x: number, width: number): void {
  const widths = columnWidths(table, width);
  const cellLines = (row: Run[][], head: boolean) =>
    widths.map((w, c) => wrapRuns(row[c] ?? [], w - 2 * CELL_PAD, { size: CELL_SIZE, family: head ? 'sans' : 'serif', color: head ? NAVY : INK, bold: head }));
  // A table whose header cells are all empty (`| | |`) is a key–value list: it has no header row.
  const headerless = table.header.every((c) => c.every((r) => r.text.trim() === ''));
  const header = cellLines(table.header, true);
  const rowHeight = (cells: Line[][]) => Math.max(...cells.map((l) => l.length)) * CELL_LEADING + 2 * CELL_PAD;
  const headerHeight = headerless ? 0 : rowHeight(header);
  const drawRow = (cells: Line[][], head: boolean) => {
    const h = rowHeight(cells);
    let cx = x;
    cells.forEach((lines, c) => {
      flow.page.push({ t: 'rect', x: cx, y: flow.y, w: widths[c], h, fill: head ? TABLE_HEAD : undefined, stroke: RULE, lineWidth: 0.5 });
      let ly = flow.y + CELL_PAD;
      const align = table.align[c] ?? 'left';
      for (const line of lines) {
        const saved = flow.y;
        flow.y = ly;
        flow.drawLine(line, cx + CELL_PAD, CELL_LEADING, head ? 'left' : align, widths[c] - 2 * CELL_PAD);
        flow.y = saved;
        ly += CELL_LEADING;
      }
      cx += widths[c];
    });
    flow.y += h;
  };
  const bodyRows = table.rows.map((r) => cellLines(r, false));
  // The header and at least the first row start together.
  flow.ensure(headerHeight + (bodyRows[0] ? rowHeight(bodyRows[0]) : 0));
  if (!headerless) drawRow(header, true);
  const continueOnNewPage = () => {
    flow.newPage();
    if (!headerless) drawRow(header, true);
  };
  const pageRoom = CONTENT_BOTTOM - CONTENT_TOP - headerHeight;
  for (const row of bodyRows) {
    let rest = row;
    for (;;) {
      const h = rowHeight(rest);
      if (flow.fits(h)) {
        drawRow(rest, false);
        break;
      }
      // a row that fits on a page moves to the next one whole; a taller one (a cell holding pages
      // of text) fills this page and continues on the next, its header repeated
      if (h <= pageRoom) {
        continueOnNewPage();
        continue;
      }
      const lines = Math.floor((CONTENT_BOTTOM - flow.y - 2 * CELL_PAD) / CELL_LEADING);
      if (lines < 2) {
        continueOnNewPage();
        continue;
      }
      drawRow(
        rest.map((cell) => cell.slice(0, lines)),
        false,
      );
      rest = rest.map((cell) => cell.slice(lines));
      if (rest.every((cell) => cell.length === 0)) break;
      continueOnNewPage();
    }
  }
  flow.y += PARA_GAP + 4;
}
