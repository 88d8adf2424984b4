import { describe, expect, it } from 'vitest';
import { barChart, footprintChart, ragHistoryChart } from '../../server/pages/charts';

/** The text nodes of an SVG, in order. */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

describe('dashboard charts', () => {
  it('are images named by their title and description, with every bar labelled in text', () => {
    const svg = barChart({
      id: 'rag',
      title: 'Networks by RAG status',
      desc: 'Of 8 networks, 1 red, 3 amber, 4 green.',
      bars: [
        { label: 'Red', value: 1 },
        { label: 'Amber', value: 3 },
        { label: 'Green', value: 4 },
      ],
    });
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-labelledby="rag-title rag-desc"/);
    expect(svg).toContain('<title id="rag-title">Networks by RAG status</title><desc id="rag-desc">Of 8 networks, 1 red, 3 amber, 4 green.</desc>');
    expect(texts(svg)).toEqual(['Red', '1', 'Amber', '3', 'Green', '4']);
    // bar lengths follow the values: the longest is the largest
    const widths = [...svg.matchAll(/<rect [^>]*width="(\d+)"/g)].map((m) => Number(m[1]));
    expect(widths).toEqual([75, 225, 300]);
  });

  it('escape names, so a network called "<A & B>" is text, not markup', () => {
    const svg = barChart({ id: 'x', title: 'T', desc: 'D', bars: [{ label: '<A & B>', value: 2 }] });
    expect(svg).toContain('&lt;A &amp; B&gt;');
    expect(svg).not.toContain('<A & B>');
  });

  it('show list size against the footprint band, saying below and above in words', () => {
    const svg = footprintChart({
      id: 'fp',
      title: 'List size',
      footprint: { minListSize: 24000, maxListSize: 40000 },
      networks: [
        { name: 'Small', listSize: 20000 },
        { name: 'Fine', listSize: 30000 },
        { name: 'Big', listSize: 45000 },
      ],
    });
    expect(svg).toContain('3 networks against the footprint of 24,000 to 40,000 patients: 1 within, 1 below, 1 above.');
    expect(texts(svg)).toEqual(['24,000', '40,000', 'Small', '20,000 (below)', 'Fine', '30,000', 'Big', '45,000 (above)']);
  });

  it('show RAG over time as labelled columns, and say when there is no history yet', () => {
    const svg = ragHistoryChart({
      id: 'h',
      title: 'Over time',
      days: [
        { day: '2026-12-01', label: '1 Dec', red: 2, amber: 3, green: 3 },
        { day: '2026-12-02', label: '2 Dec', red: 1, amber: 3, green: 4 },
      ],
    });
    expect(svg).toContain('on 2 days from 1 Dec to 2 Dec; on 2 Dec: 1 red, 3 amber, 4 green.');
    expect(texts(svg)).toContain('1 Dec');
    expect(ragHistoryChart({ id: 'h', title: 'Over time', days: [] })).toContain('No readiness has been recorded yet.');
  });
});
