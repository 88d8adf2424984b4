/**
 * Line breaking for the PDF layout: runs of styled text are measured with the real fonts and broken
 * into lines that fit a width, a word too long for any line being split (linearly) into pieces.
 */
import type { Run } from '../document-model';
import { FontKey, fontFor, textWidth } from './fonts';
import type { RGB } from './page';

export interface Fragment {
  text: string;
  font: FontKey;
  size: number;
  width: number;
  color: RGB;
}

export interface Line {
  frags: Fragment[];
  width: number;
}

export interface TextStyle {
  size: number;
  family: 'serif' | 'sans';
  color: RGB;
  bold?: boolean;
  italic?: boolean;
}

interface Piece {
  text: string;
  font: FontKey;
  width: number;
}

/**
 * Breaks a word that is wider than the line into pieces that fit (very long names, URLs, or a
 * 150,000-character string pasted into a form). Linear in the word's length: widths are summed
 * character by character (pdf-lib draws at advance widths, without kerning), never re-measured for
 * every prefix.
 */
function splitLongWord(piece: Piece, width: number, size: number): Piece[] {
  const out: Piece[] = [];
  let current = '';
  let currentWidth = 0;
  for (const ch of Array.from(piece.text)) {
    const w = textWidth(piece.font, ch, size);
    if (current && currentWidth + w > width) {
      out.push({ text: current, font: piece.font, width: currentWidth });
      current = ch;
      currentWidth = w;
    } else {
      current += ch;
      currentWidth += w;
    }
  }
  if (current) out.push({ text: current, font: piece.font, width: currentWidth });
  return out;
}

/**
 * Greedy line breaking of styled runs. Words are the unbreakable units; a word may span runs
 * ("**Practice**," is one word in two fonts), and only whitespace is a break opportunity.
 */
export function wrapRuns(runs: Run[], width: number, style: TextStyle): Line[] {
  type Word = { pieces: Piece[]; width: number; breakBefore: boolean };
  const words: Word[] = [];
  let current: Word | null = null;
  let pendingBreak = false;
  for (const run of runs) {
    if (run.breakBefore) {
      current = null;
      pendingBreak = true;
    }
    const font = fontFor({ bold: style.bold || run.bold, italic: style.italic || run.italic }, style.family);
    for (const part of run.text.split(/(\s+)/)) {
      if (part === '') continue;
      if (/^\s+$/.test(part)) {
        current = null;
        continue;
      }
      const piece: Piece = { text: part, font, width: textWidth(font, part, style.size) };
      if (!current) {
        current = { pieces: [], width: 0, breakBefore: pendingBreak };
        pendingBreak = false;
        words.push(current);
      }
      current.pieces.push(piece);
      current.width += piece.width;
    }
  }

  const lines: Line[] = [];
  let line: Line = { frags: [], width: 0 };
  const push = (piece: Piece, withSpace: boolean) => {
    const last = line.frags[line.frags.length - 1];
    if (withSpace && last) {
      const space = textWidth(last.font, ' ', style.size);
      last.text += ' ';
      last.width += space;
      line.width += space;
    }
    const tail = line.frags[line.frags.length - 1];
    if (tail && tail.font === piece.font) {
      tail.text += piece.text;
      tail.width += piece.width;
    } else line.frags.push({ text: piece.text, font: piece.font, size: style.size, width: piece.width, color: style.color });
    line.width += piece.width;
  };
  const newLine = () => {
    trimLine(line);
    lines.push(line);
    line = { frags: [], width: 0 };
  };
  for (const word of words) {
    if (word.breakBefore && line.frags.length > 0) newLine();
    const spaceWidth = line.frags.length > 0 ? textWidth(line.frags[line.frags.length - 1].font, ' ', style.size) : 0;
    if (line.frags.length > 0 && line.width + spaceWidth + word.width > width) newLine();
    if (line.frags.length === 0 && word.width > width) {
      for (const piece of word.pieces.flatMap((p) => splitLongWord(p, width, style.size))) {
        if (line.frags.length > 0 && line.width + piece.width > width) newLine();
        push(piece, false);
      }
      continue;
    }
    word.pieces.forEach((piece, i) => push(piece, i === 0 && line.frags.length > 0));
  }
  if (line.frags.length > 0 || lines.length === 0) newLine();
  return lines;
}

function trimLine(line: Line): void {
  const last = line.frags[line.frags.length - 1];
  if (last && last.text.endsWith(' ')) {
    const trimmed = last.text.replace(/\s+$/, '');
    const removed = textWidth(last.font, last.text.slice(trimmed.length), last.size);
    last.text = trimmed;
    last.width -= removed;
    line.width -= removed;
  }
}
