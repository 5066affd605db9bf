import { describe, expect, it } from 'vitest';
import { discoveryForm, pageCount, parseCatalogParams, parseDiscovery, toCatalogParams, toggleFilter, withQuery } from './catalog';

describe('catalog state in the URL', () => {
  it('round-trips query, filters and page', () => {
    const s = parseCatalogParams(new URLSearchParams('q=+demo+&org=edX&language=en&page=3&junk=1'));
    expect(s).toEqual({ q: 'demo', filters: { org: 'edX', language: 'en' }, page: 3 });
    expect(toCatalogParams(s).toString()).toBe('q=demo&org=edX&language=en&page=3');
  });

  it('ignores bad pages', () => {
    expect(parseCatalogParams(new URLSearchParams('page=-2')).page).toBe(1);
    expect(parseCatalogParams(new URLSearchParams('page=x')).page).toBe(1);
  });

  it('toggles a facet value and returns to page 1', () => {
    const s = { q: '', filters: { org: 'edX' }, page: 4 };
    expect(toggleFilter(s, 'org', 'edX')).toEqual({ q: '', filters: {}, page: 1 });
    expect(toggleFilter(s, 'org', 'MITx')).toEqual({ q: '', filters: { org: 'MITx' }, page: 1 });
    expect(toggleFilter(s, 'modes', 'audit').filters).toEqual({ org: 'edX', modes: 'audit' });
    expect(withQuery(s, ' x ')).toEqual({ q: 'x', filters: { org: 'edX' }, page: 1 });
  });

  it('builds the discovery form with a 0-based page index', () => {
    expect(discoveryForm({ q: 'a', filters: { modes: 'audit' }, page: 2 }, 12)).toEqual({
      search_string: 'a', page_size: '12', page_index: '1', modes: 'audit',
    });
  });
});

describe('discovery results', () => {
  it('reads courses and facet counts, most common first, empty terms dropped', () => {
    const r = parseDiscovery({
      total: 13,
      results: [{ _id: 'course-v1:edX+DemoX+Demo_Course', data: { id: 'course-v1:edX+DemoX+Demo_Course', org: 'edX', number: 'DemoX', content: { display_name: 'Demo' }, image_url: '/i.jpg', self_paced: false, start: '2013-02-05T05:00:00Z' } }],
      aggs: { org: { terms: { edX: 1, MITx: 5, Zero: 0 } }, modes: { terms: {} } },
    });
    expect(r.total).toBe(13);
    expect(r.courses[0]).toMatchObject({ id: 'course-v1:edX+DemoX+Demo_Course', name: 'Demo', imageUrl: '/i.jpg', selfPaced: false });
    expect(r.facets.find((f) => f.facet === 'org')!.terms).toEqual([{ value: 'MITx', count: 5 }, { value: 'edX', count: 1 }]);
    expect(r.facets.find((f) => f.facet === 'language')!.terms).toEqual([]);
    expect(pageCount(13, 12)).toBe(2);
    expect(pageCount(0, 12)).toBe(1);
  });
});
