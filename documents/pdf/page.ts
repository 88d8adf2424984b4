/**
 * The page the PDF layout draws on: A4 geometry, the house colours and type sizes, the drawing
 * operations a page is made of, and the flow that moves down the pages as content is placed.
 */
import type { FontKey } from './fonts';
import type { Line } from './wrap';

export type RGB = readonly [number, number, number];

export type Op =
  | { t: 'text'; x: number; y: number; text: string; font: FontKey; size: number; color: RGB }
  | { t: 'line'; x1: number; y1: number; x2: number; y2: number; width: number; color: RGB }
  | { t: 'rect'; x: number; y: number; w: number; h: number; fill?: RGB; stroke?: RGB; lineWidth?: number };

export const PAGE_WIDTH = 595.28;
export const PAGE_HEIGHT = 841.89;
export const MARGIN_X = 68;
export const CONTENT_TOP = 80;
export const CONTENT_BOTTOM = PAGE_HEIGHT - 66;
export const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X;

export const INK: RGB = [0.1, 0.1, 0.12];
export const NAVY: RGB = [0.06, 0.19, 0.36];
export const GREY: RGB = [0.38, 0.4, 0.44];
export const RULE: RGB = [0.72, 0.75, 0.8];
export const TABLE_HEAD: RGB = [0.9, 0.93, 0.96];
export const QUOTE_BAR: RGB = [0.55, 0.65, 0.78];

export const BODY_SIZE = 10;
export const BODY_LEADING = 14.5;
export const CELL_SIZE = 8.8;
export const CELL_LEADING = 12;
export const CELL_PAD = 4;
export const PARA_GAP = 6;
export const ITEM_GAP = 3;

/** The flow of content down the pages. */
export class Flow {
  pages: Op[][] = [];
  page!: Op[];
  y = CONTENT_TOP;
  constructor() {
    this.newPage();
  }
  newPage(): void {
    this.page = [];
    this.pages.push(this.page);
    this.y = CONTENT_TOP;
  }
  get atTop(): boolean {
    return this.y <= CONTENT_TOP + 0.01;
  }
  fits(height: number): boolean {
    return this.y + height <= CONTENT_BOTTOM;
  }
  /** Starts a new page unless `height` fits below the cursor (or we are already at the top). */
  ensure(height: number): void {
    if (!this.fits(height) && !this.atTop) this.newPage();
  }
  gap(height: number): void {
    if (!this.atTop) this.y += height;
  }
  drawLine(line: Line, x: number, leading: number, align: 'left' | 'right' | 'center' = 'left', boxWidth = 0): void {
    const size = line.frags[0]?.size ?? BODY_SIZE;
    const baseline = this.y + (leading - size * 1.17) / 2 + size * 0.93;
    let cx = x;
    if (align === 'right') cx = x + boxWidth - line.width;
    else if (align === 'center') cx = x + (boxWidth - line.width) / 2;
    for (const f of line.frags) {
      if (f.text) this.page.push({ t: 'text', x: cx, y: baseline, text: f.text, font: f.font, size: f.size, color: f.color });
      cx += f.width;
    }
  }
}
