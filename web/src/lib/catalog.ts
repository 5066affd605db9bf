// Catalog search state kept in the URL (?q=&org=&language=&modes=&page=) and
// turned into course discovery searches (POST /search/course_discovery/).

export const FACETS = ['org', 'language', 'modes'] as const;
export type Facet = (typeof FACETS)[number];
export const PAGE_SIZE = 12;

export interface CatalogState {
  q: string;
  filters: Partial<Record<Facet, string>>;
  /** 1-based. */
  page: number;
}

export function parseCatalogParams(params: URLSearchParams): CatalogState {
  const filters: Partial<Record<Facet, string>> = {};
  for (const f of FACETS) {
    const v = params.get(f);
    if (v) filters[f] = v;
  }
  const page = Number.parseInt(params.get('page') ?? '1', 10);
  return { q: (params.get('q') ?? '').trim(), filters, page: Number.isFinite(page) && page > 0 ? page : 1 };
}

export function toCatalogParams(state: CatalogState): URLSearchParams {
  const p = new URLSearchParams();
  if (state.q) p.set('q', state.q);
  for (const f of FACETS) {
    const v = state.filters[f];
    if (v) p.set(f, v);
  }
  if (state.page > 1) p.set('page', String(state.page));
  return p;
}

/** Selecting a value again clears it; any change of filter goes back to page 1. */
export function toggleFilter(state: CatalogState, facet: Facet, value: string): CatalogState {
  const filters = { ...state.filters };
  if (filters[facet] === value) delete filters[facet];
  else filters[facet] = value;
  return { ...state, filters, page: 1 };
}

export function withQuery(state: CatalogState, q: string): CatalogState {
  return { ...state, q: q.trim(), page: 1 };
}

export function discoveryForm(state: CatalogState, pageSize = PAGE_SIZE): Record<string, string> {
  const form: Record<string, string> = {
    search_string: state.q,
    page_size: String(pageSize),
    page_index: String(state.page - 1),
  };
  for (const f of FACETS) {
    const v = state.filters[f];
    if (v) form[f] = v;
  }
  return form;
}

export interface CourseSummary {
  id: string;
  name: string;
  org: string;
  number: string;
  imageUrl: string | null;
  start: string | null;
  shortDescription: string;
  selfPaced: boolean | null;
  language: string | null;
}

export interface FacetCounts {
  facet: Facet;
  terms: { value: string; count: number }[];
}

export interface CatalogResult {
  total: number;
  courses: CourseSummary[];
  facets: FacetCounts[];
}

function s(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function parseDiscovery(body: unknown): CatalogResult {
  const b = (body ?? {}) as Record<string, unknown>;
  const results = Array.isArray(b.results) ? b.results : [];
  const courses: CourseSummary[] = results.map((r: Record<string, unknown>) => {
    const d = (r.data ?? {}) as Record<string, unknown>;
    const content = (d.content ?? {}) as Record<string, unknown>;
    return {
      id: s(d.id) || s(r._id),
      name: s(content.display_name) || s(d.id),
      org: s(d.org),
      number: s(d.number) || s(content.number),
      imageUrl: s(d.image_url) || null,
      start: s(d.start) || null,
      shortDescription: s(content.short_description),
      selfPaced: typeof d.self_paced === 'boolean' ? d.self_paced : null,
      language: s(d.language) || null,
    };
  });
  const aggs = (b.aggs ?? b.facets ?? {}) as Record<string, { terms?: Record<string, number> }>;
  const facets: FacetCounts[] = FACETS.map((facet) => ({
    facet,
    terms: Object.entries(aggs[facet]?.terms ?? {})
      .filter(([, count]) => typeof count === 'number' && count > 0)
      .map(([value, count]) => ({ value, count }))
      .sort((a, b2) => b2.count - a.count || a.value.localeCompare(b2.value)),
  }));
  return { total: typeof b.total === 'number' ? b.total : courses.length, courses, facets };
}

/** The Courses API list (used when course discovery is switched off): no facets. */
export function parseCourseList(body: unknown): CatalogResult {
  const b = (body ?? {}) as Record<string, unknown>;
  const results = Array.isArray(b.results) ? b.results : [];
  const pagination = (b.pagination ?? {}) as Record<string, unknown>;
  const courses: CourseSummary[] = results.map((c: Record<string, unknown>) => {
    const media = (c.media ?? {}) as Record<string, Record<string, unknown>>;
    return {
      id: s(c.id) || s(c.course_id),
      name: s(c.name),
      org: s(c.org),
      number: s(c.number),
      imageUrl: s(media.image?.small) || s(media.course_image?.uri) || null,
      start: s(c.start) || null,
      shortDescription: s(c.short_description),
      selfPaced: c.pacing === 'self' ? true : c.pacing === 'instructor' ? false : null,
      language: null,
    };
  });
  return {
    total: typeof pagination.count === 'number' ? pagination.count : courses.length,
    courses,
    facets: [],
  };
}

export function pageCount(total: number, pageSize = PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / pageSize));
}
