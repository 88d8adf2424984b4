import { spawnSync } from 'node:child_process';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { documentSafe, documentText, textProblem } from '../../../documents/text';
import { renderTemplate, STAGE_TEMPLATES } from '../../../templates';
import { ISSUE_META, makeNetwork } from '../../fixtures/network-facts';
import { flat, pdfText } from './extract';

/** Parses XML with a real, strict parser (Python's expat, present wherever the Temporal CLI is provisioned). */
function xmlProblem(xml: string): string | null {
  const result = spawnSync('python3', ['-c', 'import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())'], {
    input: Buffer.from(xml, 'utf8'),
  });
  if (result.error) throw new Error(`python3 is needed to parse XML in this test: ${result.error.message}`);
  return result.status === 0 ? null : result.stderr.toString().trim().split('\n').at(-1)!;
}

describe('text a document can hold', () => {
  it('names the character a document cannot hold, and where it is', () => {
    expect(textProblem('Dr Ann Lee, Bow Road Practice – “St Mary’s” 😀 é\ttab\nline')).toBeNull();
    expect(textProblem('Bow\uFFFERoad')).toBe('contains a non-character (U+FFFE) at position 4, which a document cannot hold');
    expect(textProblem('Bow\uFFFF')).toMatch(/\(U\+FFFF\) at position 4/);
    expect(textProblem('Lee\uD800')).toMatch(/lone surrogate U\+D800/);
    expect(textProblem('\uDC00Lee')).toMatch(/lone surrogate U\+DC00\) at position 1/);
    expect(textProblem('bell\u0007')).toMatch(/control character \(U\+0007\)/);
  });

  it('replaces each such character with U+FFFD, keeping whole characters whole', () => {
    expect(documentSafe('a\uFFFEb\uD800c\u0001d😀')).toBe('a\uFFFDb\uFFFDc\uFFFDd😀');
  });

  it('refuses such text at the edge with a message, trims, and caps the length', () => {
    const field = documentText(10);
    expect(field.parse('  Bow Road ')).toBe('Bow Road');
    expect(field.safeParse('x'.repeat(11)).success).toBe(false);
    const lone = field.safeParse('Lee\uD800');
    expect(lone.success).toBe(false);
    expect(lone.error?.issues[0].message).toMatch(/lone surrogate/);
  });
});

describe('documents from names holding characters XML cannot carry', () => {
  it('are still well-formed DOCX (every XML part parses), PDF and HTML', async () => {
    const base = makeNetwork({ practiceCount: 2 });
    const network = {
      ...base,
      network: { ...base.network, name: 'Bow\uFFFE Network' },
      practices: base.practices.map((p, i) =>
        i === 0 ? { ...p, name: 'Lee\uFFFF Practice\u0001', people: p.people.map((x) => ({ ...x, name: `${x.name}\uD800` })) } : p,
      ),
    };
    const doc = await renderTemplate('terms-of-reference', STAGE_TEMPLATES['terms-of-reference'].buildContext(network, {}), {
      ...ISSUE_META,
      networkName: network.network.name,
    });
    const zip = await JSZip.loadAsync(doc.docx);
    const parts = Object.keys(zip.files).filter((name) => name.endsWith('.xml') || name.endsWith('.rels'));
    expect(parts).toContain('word/document.xml');
    for (const part of parts) expect(xmlProblem(await zip.file(part)!.async('string')), part).toBeNull();
    const documentXml = await zip.file('word/document.xml')!.async('string');
    expect(documentXml).toContain('Lee\uFFFD Practice\uFFFD');
    expect(documentXml).not.toMatch(/[\uFFFE\uFFFF]/);
    expect(flat(pdfText(doc.pdf))).toContain('Lee\uFFFD Practice');
    expect(doc.html).not.toMatch(/[\uFFFE\uFFFF]/);
    expect(doc.html).not.toContain(String.fromCharCode(1));
    expect(doc.markdown).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('a well-formed check that fails on what the DOCX used to hold', () => {
    // the parser used above rejects the character that once reached document.xml
    expect(xmlProblem('<w:t xmlns:w="urn:x">Lee\uFFFF</w:t>')).toMatch(/not well-formed|invalid token/);
  });
});
