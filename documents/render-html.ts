/**
 * HTML preview of the document model: a fragment for embedding in a page. Every piece of text is
 * escaped and links are limited to http(s) and mailto, so a template or a context value can never
 * inject markup or script.
 */
import type { Block, DocumentModel, Run } from './document-model';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function safeHref(href: string): string | null {
  return /^(https?:|mailto:)/i.test(href) ? href : null;
}

function runsHtml(runs: Run[]): string {
  return runs
    .map((r) => {
      let s = escapeHtml(r.text);
      if (r.code) s = `<code>${s}</code>`;
      if (r.italic) s = `<em>${s}</em>`;
      if (r.bold) s = `<strong>${s}</strong>`;
      const href = r.href ? safeHref(r.href) : null;
      if (href) s = `<a href="${escapeHtml(href)}" rel="noopener noreferrer">${s}</a>`;
      return r.breakBefore ? `<br>${s}` : s;
    })
    .join('');
}

function blocksHtml(blocks: Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading': {
        const level = Math.min(b.level, 6);
        const label = b.label ? `<span class="fw-number">${escapeHtml(b.label)}</span> ` : '';
        out.push(`<h${level} id="${escapeHtml(b.anchor)}">${label}${runsHtml(b.runs)}</h${level}>`);
        break;
      }
      case 'paragraph':
        out.push(`<p>${runsHtml(b.runs)}</p>`);
        break;
      case 'list':
        out.push(
          `<ol class="fw-list fw-${b.style}">${b.items
            .map((item) => `<li><span class="fw-label">${escapeHtml(item.label)}</span> ${blocksHtml(item.blocks)}</li>`)
            .join('')}</ol>`,
        );
        break;
      case 'table': {
        // a class, not a style attribute: the pages' Content-Security-Policy allows no inline styles
        const align = (i: number) => (b.align[i] ? ` class="fw-align-${b.align[i]}"` : '');
        const headerless = b.header.every((c) => c.every((r) => r.text.trim() === ''));
        const head = headerless ? '' : `<thead><tr>${b.header.map((c, i) => `<th scope="col"${align(i)}>${runsHtml(c)}</th>`).join('')}</tr></thead>`;
        const body = `<tbody>${b.rows.map((r) => `<tr>${r.map((c, i) => `<td${align(i)}>${runsHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody>`;
        out.push(`<table class="fw-table">${head}${body}</table>`);
        break;
      }
      case 'quote':
        out.push(`<blockquote>${blocksHtml(b.blocks)}</blockquote>`);
        break;
      case 'signature':
        out.push(
          `<div class="fw-signature"><p>Signed for and on behalf of <strong>${escapeHtml(b.party)}</strong>${b.detail ? `<br>${escapeHtml(b.detail)}` : ''}</p><dl>${b.fields
            .map((f) => `<dt>${escapeHtml(f.label)}</dt><dd>${f.value ? escapeHtml(f.value) : '&nbsp;'}</dd>`)
            .join('')}</dl></div>`,
        );
        break;
      case 'pagebreak':
        out.push('<hr class="fw-pagebreak">');
        break;
      case 'rule':
        out.push('<hr>');
        break;
    }
  }
  return out.join('\n');
}

/** Renders the model as an HTML fragment (the list labels are printed, so the numbering matches the PDF). */
export function renderHtml(model: DocumentModel): string {
  return `<article class="fw-document">\n${blocksHtml(model.blocks)}\n</article>`;
}
