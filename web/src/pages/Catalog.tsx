import { useState } from 'react';
import type { FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Button, Pagination } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import type { IntlShape } from 'react-intl';
import { usePageTitle } from '../components/Layout';
import { useSite } from '../components/SiteContext';
import { CourseCard } from '../components/CourseCard';
import { ErrorPanel, Loading } from '../components/Status';
import { ApiError, request } from '../api/http';
import { useLoad } from '../lib/useLoad';
import {
  discoveryForm,
  PAGE_SIZE,
  pageCount,
  parseCatalogParams,
  parseCourseList,
  parseDiscovery,
  toCatalogParams,
  toggleFilter,
  withQuery,
} from '../lib/catalog';
import type { CatalogResult, CatalogState, Facet } from '../lib/catalog';

const messages = defineMessages({
  title: { id: 'catalog.title', defaultMessage: 'Courses' },
  heroTitle: { id: 'catalog.heroTitle', defaultMessage: 'Learn something new' },
  heroBody: { id: 'catalog.heroBody', defaultMessage: 'Explore the courses on {site}.' },
  search: { id: 'catalog.search', defaultMessage: 'Search courses' },
  searchButton: { id: 'catalog.searchButton', defaultMessage: 'Search' },
  filters: { id: 'catalog.filters', defaultMessage: 'Filter courses' },
  org: { id: 'catalog.facet.org', defaultMessage: 'Organization' },
  language: { id: 'catalog.facet.language', defaultMessage: 'Language' },
  modes: { id: 'catalog.facet.modes', defaultMessage: 'Course type' },
  clear: { id: 'catalog.clear', defaultMessage: 'Clear all filters' },
  count: {
    id: 'catalog.count',
    defaultMessage: '{total, plural, =0 {No courses} one {# course} other {# courses}}',
  },
  countFor: {
    id: 'catalog.countFor',
    defaultMessage: '{total, plural, =0 {No courses} one {# course} other {# courses}} for “{q}”',
  },
  empty: { id: 'catalog.empty', defaultMessage: 'No course matches your search.' },
  emptyHint: { id: 'catalog.emptyHint', defaultMessage: 'Try other words or remove a filter.' },
  emptyCatalog: { id: 'catalog.emptyCatalog', defaultMessage: 'There are no courses to show yet.' },
  pagination: { id: 'catalog.pagination', defaultMessage: 'Course pages' },
  audit: { id: 'catalog.mode.audit', defaultMessage: 'Audit (free)' },
  honor: { id: 'catalog.mode.honor', defaultMessage: 'Honor (free)' },
  verified: { id: 'catalog.mode.verified', defaultMessage: 'Verified certificate' },
  professional: { id: 'catalog.mode.professional', defaultMessage: 'Professional' },
});

export function facetValueLabel(intl: IntlShape, facet: Facet, value: string): string {
  if (facet === 'language') {
    try {
      const names = new Intl.DisplayNames([intl.locale], { type: 'language' });
      return names.of(value) ?? value;
    } catch {
      return value;
    }
  }
  if (facet === 'modes') {
    const m = (messages as Record<string, { id: string; defaultMessage: string }>)[value];
    if (m && ['audit', 'honor', 'verified', 'professional'].includes(value)) return intl.formatMessage(m);
  }
  return value;
}

async function search(state: CatalogState, signal: AbortSignal): Promise<CatalogResult> {
  try {
    return parseDiscovery(await request('/search/course_discovery/', { form: discoveryForm(state), signal }));
  } catch (e) {
    // Course discovery switched off (FEATURES.ENABLE_COURSE_DISCOVERY): the Courses API, no facets.
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
    const p = new URLSearchParams({ page: String(state.page), page_size: String(PAGE_SIZE) });
    if (state.q) p.set('search_term', state.q);
    if (state.filters.org) p.set('org', state.filters.org);
    return parseCourseList(await request(`/api/courses/v1/courses/?${p}`, { signal }));
  }
}

export default function Catalog() {
  const intl = useIntl();
  usePageTitle(intl.formatMessage(messages.title));
  const { config } = useSite();
  const [params, setParams] = useSearchParams();
  const state = parseCatalogParams(params);
  const key = toCatalogParams(state).toString();
  const result = useLoad((signal) => search(state, signal), [key]);
  const [text, setText] = useState(state.q);
  const go = (next: CatalogState) => setParams(toCatalogParams(next));
  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    go(withQuery(state, text));
  };
  const hasFilters = Object.keys(state.filters).length > 0;

  return (
    <>
      <section className="larch-hero">
        <div className="container-xl">
          <h1 className="larch-hero-title">{intl.formatMessage(messages.heroTitle)}</h1>
          <p className="lead">{intl.formatMessage(messages.heroBody, { site: config.SITE_NAME })}</p>
          <form role="search" className="larch-search" onSubmit={onSearch}>
            <label htmlFor="catalog-search" className="sr-only">
              {intl.formatMessage(messages.search)}
            </label>
            <input
              id="catalog-search"
              type="search"
              className="form-control form-control-lg"
              placeholder={intl.formatMessage(messages.search)}
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
            <Button type="submit" variant="brand" size="lg">
              {intl.formatMessage(messages.searchButton)}
            </Button>
          </form>
        </div>
      </section>
      <div className="container-xl larch-catalog">
        <aside className="larch-facets" aria-label={intl.formatMessage(messages.filters)}>
          {result.data?.facets.map(({ facet, terms }) =>
            terms.length === 0 && !state.filters[facet] ? null : (
              <fieldset key={facet} className="larch-facet">
                <legend className="h5">{intl.formatMessage(messages[facet])}</legend>
                <ul className="list-unstyled mb-0">
                  {(terms.length ? terms : [{ value: state.filters[facet]!, count: 0 }]).map((t) => {
                    const active = state.filters[facet] === t.value;
                    return (
                      <li key={t.value}>
                        <button
                          type="button"
                          className={`larch-facet-value${active ? ' active' : ''}`}
                          aria-pressed={active}
                          onClick={() => go(toggleFilter(state, facet, t.value))}
                        >
                          <span>{facetValueLabel(intl, facet, t.value)}</span>
                          <span className="larch-facet-count">{t.count}</span>
                        </button>
                      </li>
                    );
                  })}
                </ul>
              </fieldset>
            ),
          )}
          {hasFilters && (
            <Button variant="link" size="sm" className="px-0" onClick={() => go({ ...state, filters: {}, page: 1 })}>
              {intl.formatMessage(messages.clear)}
            </Button>
          )}
        </aside>
        <section className="larch-results" aria-live="polite" aria-busy={result.status === 'loading'}>
          {result.status === 'loading' && <Loading />}
          {result.status === 'error' && <ErrorPanel error={result.error} onRetry={result.retry} />}
          {result.status === 'done' && (
            <CatalogResults result={result.data} state={state} onPage={(page) => go({ ...state, page })} />
          )}
        </section>
      </div>
    </>
  );
}

function CatalogResults({
  result,
  state,
  onPage,
}: {
  result: CatalogResult;
  state: CatalogState;
  onPage: (page: number) => void;
}) {
  const intl = useIntl();
  const filtered = Boolean(state.q) || Object.keys(state.filters).length > 0;
  return (
    <>
      <h2 className="h4 larch-results-count">
        {state.q
          ? intl.formatMessage(messages.countFor, { total: result.total, q: state.q })
          : intl.formatMessage(messages.count, { total: result.total })}
      </h2>
      {result.courses.length === 0 ? (
        <div className="larch-empty">
          <p className="lead mb-1">{intl.formatMessage(filtered ? messages.empty : messages.emptyCatalog)}</p>
          {filtered && <p>{intl.formatMessage(messages.emptyHint)}</p>}
        </div>
      ) : (
        <ul className="larch-card-grid list-unstyled">
          {result.courses.map((c) => (
            <li key={c.id}>
              <CourseCard course={c} />
            </li>
          ))}
        </ul>
      )}
      {pageCount(result.total) > 1 && (
        <Pagination
          paginationLabel={intl.formatMessage(messages.pagination)}
          pageCount={pageCount(result.total)}
          currentPage={state.page}
          onPageSelect={onPage}
          className="mt-4"
        />
      )}
    </>
  );
}
