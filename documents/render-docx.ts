/**
 * DOCX renderer: the document model as an editable Word document. Uses Word's own machinery where
 * an editor expects it: Title and Heading 1–3 styles, a multi-level list for section and clause
 * numbers (so inserting a clause renumbers the rest), a table style with a repeating header row,
 * a table of contents field, and PAGE / NUMPAGES fields in the footer.
 *
 * Markdown `##` becomes Heading 1, `###` Heading 2, `####` Heading 3; `#` is the Title.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  Header,
  HeadingLevel,
  LevelFormat,
  LevelSuffix,
  Packer,
  PageNumber,
  Paragraph,
  ParagraphChild,
  Table,
  TableCell,
  TableOfContents,
  TableRow,
  TabStopType,
  TextRun,
  WidthType,
  ExternalHyperlink,
  FileChild,
} from 'docx';
import type { Block, DocumentModel, ListBlock, Run, SignatureBlock } from './document-model';
import type { RenderMeta } from './types';
import { titleBlockLines } from './format';
import { CONTENTS_THRESHOLD } from './pdf/layout';

const NAVY = '0F305C';
const GREY = '5F6670';
const BODY_FONT = 'DejaVu Serif';
const HEAD_FONT = 'DejaVu Sans';
// twips: A4 with 2.4 cm side margins
const PAGE = { width: 11906, height: 16838, margin: 1360 };
const TEXT_WIDTH = PAGE.width - 2 * PAGE.margin;
const INDENT = 567;

// Passed as "external" styles: docx merges its default styles (Title, Heading 1–3, …) around them.
const TABLE_STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:style w:type="table" w:styleId="FormworkTable">
<w:name w:val="Formwork Table"/><w:uiPriority w:val="59"/><w:qFormat/>
<w:pPr><w:spacing w:before="40" w:after="40"/></w:pPr><w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>
<w:tblPr><w:tblBorders>
<w:top w:val="single" w:sz="4" w:space="0" w:color="B8C0CC"/><w:left w:val="single" w:sz="4" w:space="0" w:color="B8C0CC"/>
<w:bottom w:val="single" w:sz="4" w:space="0" w:color="B8C0CC"/><w:right w:val="single" w:sz="4" w:space="0" w:color="B8C0CC"/>
<w:insideH w:val="single" w:sz="4" w:space="0" w:color="B8C0CC"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="B8C0CC"/>
</w:tblBorders><w:tblCellMar><w:left w:w="85" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar></w:tblPr>
<w:tblStylePr w:type="firstRow"><w:rPr><w:rFonts w:ascii="${HEAD_FONT}" w:hAnsi="${HEAD_FONT}"/><w:b/><w:color w:val="${NAVY}"/></w:rPr><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="E6EDF5"/></w:tcPr></w:tblStylePr>
</w:style></w:styles>`;

function textRuns(runs: Run[], base: { bold?: boolean; italics?: boolean; color?: string; size?: number } = {}): ParagraphChild[] {
  const out: ParagraphChild[] = [];
  for (const r of runs) {
    const run = new TextRun({
      text: r.text,
      bold: base.bold || r.bold,
      italics: base.italics || r.italic,
      color: base.color,
      size: base.size,
      font: r.code ? HEAD_FONT : undefined,
      break: r.breakBefore ? 1 : undefined,
    });
    if (r.href && /^(https?:|mailto:)/i.test(r.href)) out.push(new ExternalHyperlink({ link: r.href, children: [run] }));
    else out.push(run);
  }
  return out;
}

interface DocxState {
  listInstance: number;
}

function listParagraphs(list: ListBlock, state: DocxState, indentLevel: number): FileChild[] {
  const out: FileChild[] = [];
  const instance = list.style === 'ordered' ? ++state.listInstance : undefined;
  for (const item of list.items) {
    item.blocks.forEach((block, i) => {
      if (i === 0 && block.kind === 'paragraph') {
        const numbering =
          list.style === 'clause'
            ? { reference: 'clauses', level: list.level }
            : list.style === 'ordered'
              ? { reference: 'ordered', level: Math.min(indentLevel, 8), instance }
              : { reference: 'bullets', level: Math.min(indentLevel, 8) };
        out.push(new Paragraph({ children: textRuns(block.runs), numbering, spacing: { after: 60 } }));
      } else if (block.kind === 'list') {
        out.push(...listParagraphs(block, state, indentLevel + 1));
      } else if (block.kind === 'paragraph') {
        out.push(new Paragraph({ children: textRuns(block.runs), indent: { left: INDENT * (indentLevel + 1) } }));
      } else {
        out.push(...blocksToDocx([block], state));
      }
    });
  }
  return out;
}

function signatureTable(sig: SignatureBlock): Table {
  const cellBorder = { style: BorderStyle.SINGLE, size: 4, color: 'B8C0CC' };
  const noBorder = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
  const rows = [
    new TableRow({
      cantSplit: true,
      children: [
        new TableCell({
          columnSpan: 2,
          borders: { top: cellBorder, left: cellBorder, right: cellBorder, bottom: noBorder },
          children: [
            new Paragraph({ children: [new TextRun({ text: 'Signed for and on behalf of', color: GREY, size: 16, font: HEAD_FONT })] }),
            new Paragraph({ children: [new TextRun({ text: sig.party, bold: true })] }),
            ...(sig.detail ? [new Paragraph({ children: [new TextRun({ text: sig.detail, color: GREY, size: 16, font: HEAD_FONT })] })] : []),
          ],
        }),
      ],
    }),
    ...sig.fields.map(
      (f, i) =>
        new TableRow({
          cantSplit: true,
          children: [
            new TableCell({
              width: { size: 1800, type: WidthType.DXA },
              borders: { top: noBorder, left: cellBorder, right: noBorder, bottom: i === sig.fields.length - 1 ? cellBorder : noBorder },
              children: [new Paragraph({ spacing: { before: 200 }, children: [new TextRun({ text: f.label, color: GREY, size: 16, font: HEAD_FONT })] })],
            }),
            new TableCell({
              width: { size: TEXT_WIDTH - 1800, type: WidthType.DXA },
              borders: { top: noBorder, left: noBorder, right: cellBorder, bottom: cellBorder },
              children: [new Paragraph({ spacing: { before: 200 }, children: [new TextRun({ text: f.value ?? '' })] })],
            }),
          ],
        }),
    ),
  ];
  return new Table({ rows, width: { size: TEXT_WIDTH, type: WidthType.DXA }, columnWidths: [1800, TEXT_WIDTH - 1800] });
}

function blocksToDocx(blocks: Block[], state: DocxState): FileChild[] {
  const out: FileChild[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading': {
        const heading =
          b.level === 1 ? HeadingLevel.TITLE : b.level === 2 ? HeadingLevel.HEADING_1 : b.level === 3 ? HeadingLevel.HEADING_2 : HeadingLevel.HEADING_3;
        const numbering = b.label ? { reference: 'clauses', level: b.level === 2 ? 0 : 1 } : undefined;
        out.push(new Paragraph({ heading, numbering, children: textRuns(b.runs), pageBreakBefore: b.level === 1 && out.length > 0 ? true : undefined }));
        break;
      }
      case 'paragraph':
        out.push(new Paragraph({ children: textRuns(b.runs) }));
        break;
      case 'list':
        out.push(...listParagraphs(b, state, 0));
        break;
      case 'table': {
        const cols = b.header.length;
        const widths = new Array<number>(cols).fill(Math.floor(TEXT_WIDTH / cols));
        const align = (i: number) => (b.align[i] === 'right' ? AlignmentType.RIGHT : b.align[i] === 'center' ? AlignmentType.CENTER : AlignmentType.LEFT);
        const row = (cells: Run[][], header: boolean) =>
          new TableRow({
            tableHeader: header,
            cantSplit: true,
            children: widths.map(
              (w, i) =>
                new TableCell({
                  width: { size: w, type: WidthType.DXA },
                  children: [new Paragraph({ alignment: align(i), children: textRuns(cells[i] ?? []) })],
                }),
            ),
          });
        const headerless = b.header.every((c) => c.every((r) => r.text.trim() === ''));
        out.push(
          new Table({
            style: 'FormworkTable',
            width: { size: TEXT_WIDTH, type: WidthType.DXA },
            columnWidths: widths,
            tableLook: { firstRow: !headerless },
            rows: [...(headerless ? [] : [row(b.header, true)]), ...b.rows.map((r) => row(r, false))],
          }),
        );
        out.push(new Paragraph({ children: [] }));
        break;
      }
      case 'quote':
        for (const inner of b.blocks) {
          if (inner.kind === 'paragraph') {
            out.push(new Paragraph({ style: 'Quote', children: textRuns(inner.runs, { italics: true, color: GREY }), indent: { left: INDENT } }));
          } else out.push(...blocksToDocx([inner], state));
        }
        break;
      case 'signature':
        out.push(signatureTable(b));
        out.push(new Paragraph({ children: [] }));
        break;
      case 'pagebreak':
        out.push(new Paragraph({ pageBreakBefore: true, children: [] }));
        break;
      case 'rule':
        out.push(new Paragraph({ border: { bottom: { style: BorderStyle.SINGLE, size: 4, color: 'B8C0CC', space: 1 } }, children: [] }));
        break;
    }
  }
  return out;
}

function levels(kind: 'clauses' | 'ordered' | 'bullets') {
  if (kind === 'clauses') {
    return [
      { level: 0, format: LevelFormat.DECIMAL, text: '%1', suffix: LevelSuffix.TAB, style: { paragraph: { indent: { left: INDENT, hanging: INDENT } } } },
      { level: 1, format: LevelFormat.DECIMAL, text: '%1.%2', suffix: LevelSuffix.TAB, style: { paragraph: { indent: { left: INDENT, hanging: INDENT } } } },
      {
        level: 2,
        format: LevelFormat.DECIMAL,
        text: '%1.%2.%3',
        suffix: LevelSuffix.TAB,
        style: { paragraph: { indent: { left: INDENT * 2, hanging: INDENT } } },
      },
    ].map((l) => ({ ...l, isLegalNumberingStyle: true, alignment: AlignmentType.LEFT }));
  }
  const formats = [LevelFormat.DECIMAL, LevelFormat.LOWER_LETTER, LevelFormat.LOWER_ROMAN, LevelFormat.UPPER_LETTER];
  return Array.from({ length: 9 }, (_, level) => ({
    level,
    format: kind === 'bullets' ? LevelFormat.BULLET : formats[level % 4],
    text: kind === 'bullets' ? (level % 2 === 0 ? '\u2022' : '\u2013') : level % 4 === 0 ? `%${level + 1}.` : `(%${level + 1})`,
    alignment: AlignmentType.LEFT,
    style: { paragraph: { indent: { left: INDENT * (level + 1) + (kind === 'bullets' ? 0 : INDENT), hanging: kind === 'bullets' ? 284 : 454 } } },
  }));
}

export interface DocxOptions {
  meta: RenderMeta;
  title: string;
  contentHash: string;
}

export async function renderDocx(model: DocumentModel, options: DocxOptions): Promise<Buffer> {
  const { meta } = options;
  const state: DocxState = { listInstance: 0 };
  // The first `#` heading is the title, which the title block above already shows.
  const titleIndex = model.blocks.findIndex((b) => b.kind === 'heading' && b.level === 1);
  const children: FileChild[] = [];
  children.push(new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(options.title)] }));
  children.push(
    new Paragraph({
      spacing: { after: 240 },
      border: { bottom: { style: BorderStyle.SINGLE, size: 12, color: NAVY, space: 6 } },
      children: titleBlockLines(options.title, meta).map(
        (text, i) => new TextRun({ text, color: GREY, font: HEAD_FONT, size: 19, ...(i > 0 ? { break: 1 } : {}) }),
      ),
    }),
  );
  const body = model.blocks.filter((_, i) => i !== titleIndex);
  const firstSection = body.findIndex((b) => b.kind === 'heading' && b.level <= 2);
  const preamble = firstSection < 0 ? [] : body.slice(0, firstSection);
  children.push(...blocksToDocx(preamble, state));
  if (model.contents.length >= CONTENTS_THRESHOLD) {
    children.push(new Paragraph({ style: 'TOCHeading', children: [new TextRun({ text: 'Contents' })] }));
    children.push(new TableOfContents('Contents', { hyperlink: true, headingStyleRange: '1-2' }));
    children.push(new Paragraph({ pageBreakBefore: true, children: [] }));
  }
  children.push(...blocksToDocx(firstSection < 0 ? body : body.slice(firstSection), state));

  const headerText = `${meta.networkName}\t${options.title} \u00b7 Version ${meta.version}`;
  const doc = new Document({
    creator: 'Formwork',
    title: options.title,
    subject: options.title,
    description: `Document ${meta.documentId}, version ${meta.version}, issued ${meta.issuedOn}`,
    keywords: `document:${meta.documentId} version:${meta.version}`,
    features: { updateFields: true },
    externalStyles: TABLE_STYLES,
    styles: {
      default: {
        document: { run: { font: BODY_FONT, size: 20, color: '1A1A1F' }, paragraph: { spacing: { after: 120, line: 288 } } },
        title: { run: { font: HEAD_FONT, size: 36, bold: true, color: NAVY }, paragraph: { spacing: { after: 120 } } },
        heading1: {
          run: { font: HEAD_FONT, size: 25, bold: true, color: NAVY },
          paragraph: { spacing: { before: 320, after: 120 }, keepNext: true, keepLines: true },
        },
        heading2: {
          run: { font: HEAD_FONT, size: 22, bold: true, color: NAVY },
          paragraph: { spacing: { before: 200, after: 80 }, keepNext: true, keepLines: true },
        },
        heading3: { run: { font: BODY_FONT, size: 20, bold: true }, paragraph: { spacing: { before: 160, after: 40 }, keepNext: true } },
        listParagraph: { paragraph: { spacing: { after: 60 } } },
      },
      paragraphStyles: [
        { id: 'Quote', name: 'Quote', basedOn: 'Normal', run: { italics: true, color: GREY }, paragraph: { indent: { left: INDENT } } },
        {
          id: 'TOCHeading',
          name: 'TOC Heading',
          basedOn: 'Normal',
          run: { font: HEAD_FONT, bold: true, color: NAVY, size: 26 },
          paragraph: { spacing: { before: 240, after: 120 } },
        },
      ],
    },
    numbering: {
      config: [
        { reference: 'clauses', levels: levels('clauses') },
        { reference: 'ordered', levels: levels('ordered') },
        { reference: 'bullets', levels: levels('bullets') },
      ],
    },
    sections: [
      {
        properties: {
          page: {
            size: { width: PAGE.width, height: PAGE.height },
            margin: { top: 1418, bottom: 1304, left: PAGE.margin, right: PAGE.margin, header: 709, footer: 624 },
          },
        },
        headers: {
          default: new Header({
            children: [
              new Paragraph({
                tabStops: [{ type: TabStopType.RIGHT, position: TEXT_WIDTH }],
                border: { bottom: { style: BorderStyle.SINGLE, size: 4, color: GREY, space: 4 } },
                children: [new TextRun({ text: headerText, color: GREY, size: 15, font: HEAD_FONT })],
              }),
            ],
          }),
        },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                tabStops: [{ type: TabStopType.RIGHT, position: TEXT_WIDTH }],
                border: { top: { style: BorderStyle.SINGLE, size: 4, color: GREY, space: 4 } },
                children: [
                  new TextRun({ text: `Document ${meta.documentId} \u00b7 content ${options.contentHash}\t`, color: GREY, size: 15, font: HEAD_FONT }),
                  new TextRun({ children: ['Page ', PageNumber.CURRENT, ' of ', PageNumber.TOTAL_PAGES], color: GREY, size: 15, font: HEAD_FONT }),
                ],
              }),
            ],
          }),
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(doc);
}
