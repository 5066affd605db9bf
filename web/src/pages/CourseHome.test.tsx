import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { IntlProvider } from 'react-intl';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { SiteProvider } from '../components/SiteContext';
import { DEFAULT_CONFIG } from '../api/config';
import { INTERACTIVE_MARK } from '../lib/perf';
import CourseHome from './CourseHome';

const C = 'course-v1:edX+DemoX+Demo_Course';
const b = (type: string, id: string) => `block-v1:edX+DemoX+Demo_Course+type@${type}+block@${id}`;
const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });

const outline = {
  resume_course: { has_visited_course: true },
  course_blocks: {
    root: b('course', 'course'),
    blocks: {
      [b('course', 'course')]: { id: b('course', 'course'), type: 'course', children: [b('chapter', 'c')] },
      [b('chapter', 'c')]: { id: b('chapter', 'c'), display_name: 'Week 1', children: [b('sequential', 's1'), b('sequential', 's2')] },
      [b('sequential', 's1')]: { id: b('sequential', 's1'), display_name: 'First' },
      [b('sequential', 's2')]: { id: b('sequential', 's2'), display_name: 'Second' },
    },
  },
};

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('Course home', () => {
  it('asks for the metadata, the outline and the resume block at once, then sets the interactive mark', async () => {
    performance.clearMarks(INTERACTIVE_MARK);
    const pending: { url: string; resolve: (r: Response) => void }[] = [];
    const answers: Record<string, unknown> = {
      [`/api/course_home/v1/course_metadata/${C}`]: { course_id: C, title: 'Demo', tabs: [], course_access: { has_access: true } },
      [`/api/course_home/v1/outline/${C}`]: outline,
      [`/api/courseware/resume/${C}`]: { section_id: b('sequential', 's2'), unit_id: b('vertical', 'y') },
    };
    vi.stubGlobal('fetch', vi.fn((input: RequestInfo | URL) => new Promise<Response>((resolve) => {
      pending.push({ url: String(input), resolve });
      // Nothing is answered before all three requests are out.
      if (pending.length === 3) for (const p of pending) p.resolve(json(answers[p.url] ?? {}));
    })));
    render(
      <IntlProvider locale="en" messages={{}}>
        <SiteProvider config={DEFAULT_CONFIG} initialUser={{ userId: 2, username: 'ana', administrator: false, roles: [] }}>
          <MemoryRouter initialEntries={[`/learning/course/${C}/home`]}>
            <Routes><Route path="/learning/course/:courseId/home" element={<CourseHome tab="home" />} /></Routes>
          </MemoryRouter>
        </SiteProvider>
      </IntlProvider>,
    );
    const resume = await screen.findByRole('link', { name: 'Resume course' });
    expect(pending.map((p) => p.url).sort()).toEqual(Object.keys(answers).sort());
    expect(decodeURIComponent(resume.getAttribute('href')!)).toContain(b('vertical', 'y'));
    expect(screen.getByText('Last visited')).toBeTruthy();
    // The mark is set by an effect after the paint that shows the data.
    await waitFor(() => expect(performance.getEntriesByName(INTERACTIVE_MARK, 'mark').length).toBe(1));
  });
});
