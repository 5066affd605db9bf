import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { IntlProvider } from 'react-intl';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { SiteProvider } from '../components/SiteContext';
import { DEFAULT_CONFIG } from '../api/config';
import Courseware from './Courseware';

const C = 'course-v1:edX+DemoX+Demo_Course';
const b = (type: string, id: string) => `block-v1:edX+DemoX+Demo_Course+type@${type}+block@${id}`;
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const outline = {
  course_blocks: {
    root: b('course', 'course'),
    blocks: {
      [b('course', 'course')]: { id: b('course', 'course'), type: 'course', children: [b('chapter', 'c')] },
      [b('chapter', 'c')]: { id: b('chapter', 'c'), display_name: 'Week', children: [b('sequential', 's1'), b('sequential', 's2')] },
      [b('sequential', 's1')]: { id: b('sequential', 's1'), display_name: 'First' },
      [b('sequential', 's2')]: { id: b('sequential', 's2'), display_name: 'Second' },
    },
  },
};
const sequences: Record<string, unknown> = {
  [b('sequential', 's1')]: {
    item_id: b('sequential', 's1'),
    display_name: 'First',
    items: [{ id: b('vertical', 'a'), page_title: 'A' }, { id: b('vertical', 'b'), page_title: 'B', complete: true }],
  },
  [b('sequential', 's2')]: {
    item_id: b('sequential', 's2'),
    display_name: 'Second',
    position: 2,
    items: [{ id: b('vertical', 'x'), page_title: 'X' }, { id: b('vertical', 'y'), page_title: 'Y' }],
  },
};

function Where() {
  return <p data-testid="where">{decodeURIComponent(useLocation().pathname)}</p>;
}

function renderAt(path: string) {
  return render(
    <IntlProvider locale="en" messages={{}}>
      <SiteProvider config={DEFAULT_CONFIG} initialUser={{ userId: 2, username: 'ana', administrator: false, roles: [] }}>
        <MemoryRouter initialEntries={[path]}>
          <Routes>
            <Route path="/learning/course/:courseId/:sequenceId/:unitId?" element={<><Courseware /><Where /></>} />
          </Routes>
        </MemoryRouter>
      </SiteProvider>
    </IntlProvider>,
  );
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('Courseware player', () => {
  it('walks previous and next across sequences and saves positions', async () => {
    const posts: string[] = [];
    vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
      if (url === `/api/courseware/course/${C}`) return json({ id: C, name: 'Demo', org: 'edX', tabs: [], course_access: { has_access: true } });
      if (url === `/api/course_home/v1/outline/${C}`) return json(outline);
      if (url.startsWith('/api/courseware/sequence/')) return json(sequences[url.slice('/api/courseware/sequence/'.length)]);
      if (url === '/csrf/api/v1/token') return json({ csrfToken: 'tok' });
      if (url.includes('/handler/')) {
        posts.push(`${url.split('/handler/')[1]} ${String(init?.body)}`);
        return json({ success: true, complete: false });
      }
      throw new Error(`unexpected ${url}`);
    }));
    // A sequence without a unit goes to its saved position (2: unit y).
    renderAt(`/learning/course/${C}/${b('sequential', 's2')}`);
    await waitFor(() => expect(screen.getByTestId('where').textContent).toBe(`/learning/course/${C}/${b('sequential', 's2')}/${b('vertical', 'y')}`));
    expect(await screen.findByRole('heading', { level: 1, name: 'Y' })).toBeTruthy();
    expect(screen.getByTitle('Course content: Y').getAttribute('src')).toBe(
      `/xblock/${b('vertical', 'y')}?view=student_view&show_title=0&show_bookmark_button=0&recheck_access=1`,
    );
    // Previous twice: x, then across into the first sequence's last unit (b), not s2's.
    fireEvent.click(screen.getAllByRole('link', { name: 'Previous' })[0]);
    await screen.findByRole('heading', { level: 1, name: 'X' });
    fireEvent.click(screen.getAllByRole('link', { name: 'Previous' })[0]);
    await waitFor(() => expect(screen.getByTestId('where').textContent).toBe(`/learning/course/${C}/${b('sequential', 's1')}/${b('vertical', 'b')}`));
    await screen.findByRole('heading', { level: 1, name: 'B' });
    expect(screen.getByText('Unit completed')).toBeTruthy();
    // The unit title takes the focus after navigation (also across sequences), not on the first load.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1, name: 'B' })));
    // Next goes back into the second sequence at its first unit.
    fireEvent.click(screen.getAllByRole('link', { name: 'Next' })[0]);
    await waitFor(() => expect(screen.getByTestId('where').textContent).toBe(`/learning/course/${C}/${b('sequential', 's2')}/${b('vertical', 'x')}`));
    await waitFor(() => expect(posts).toContain('goto_position {"position":2}'));
    expect(posts).toContain('goto_position {"position":1}');
    expect(posts).toContain(`get_completion {"usage_key":"${b('vertical', 'y')}"}`);
  });

  it('shows the retry panel when the sequence cannot be loaded', async () => {
    let fail = true;
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      if (url === `/api/courseware/course/${C}`) return json({ id: C, name: 'Demo', tabs: [] });
      if (url === `/api/course_home/v1/outline/${C}`) return json(outline);
      if (url.startsWith('/api/courseware/sequence/')) {
        if (fail) throw new TypeError('Failed to fetch');
        return json(sequences[b('sequential', 's1')]);
      }
      return json({ success: true });
    }));
    renderAt(`/learning/course/${C}/${b('sequential', 's1')}/${b('vertical', 'a')}`);
    const retry = await screen.findByRole('button', { name: 'Try again' });
    fail = false;
    fireEvent.click(retry);
    expect(await screen.findByRole('heading', { level: 1, name: 'A' })).toBeTruthy();
  });

  it('lists the outline with completion in a collapsible sidebar', async () => {
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      if (url === `/api/courseware/course/${C}`) return json({ id: C, name: 'Demo', tabs: [], course_access: { has_access: true } });
      if (url === `/api/course_home/v1/outline/${C}`) {
        const done = structuredClone(outline);
        (done.course_blocks.blocks[b('sequential', 's1')] as Record<string, unknown>).complete = true;
        return json(done);
      }
      if (url.startsWith('/api/courseware/sequence/')) return json(sequences[url.slice('/api/courseware/sequence/'.length)]);
      return json({ success: true });
    }));
    renderAt(`/learning/course/${C}/${b('sequential', 's2')}/${b('vertical', 'x')}`);
    const title = await screen.findByRole('heading', { level: 1, name: 'X' });
    expect(document.activeElement).not.toBe(title);
    const toggle = screen.getByRole('button', { name: 'Show the course outline' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(toggle);
    const side = screen.getByRole('navigation', { name: 'Course outline' });
    expect(side.textContent).toContain('Week');
    expect(screen.getByRole('link', { name: /^First\s*, completed$/ })).toBeTruthy();
    const current = screen.getByRole('link', { name: /^Second\s*, not completed$/ });
    expect(current.getAttribute('aria-current')).toBe('page');
    fireEvent.click(screen.getByRole('link', { name: /^First\s*, completed$/ }));
    await waitFor(() => expect(screen.getByTestId('where').textContent).toBe(`/learning/course/${C}/${b('sequential', 's1')}/${b('vertical', 'a')}`));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1, name: 'A' })));
    fireEvent.click(screen.getByRole('button', { name: 'Hide the course outline' }));
    expect(screen.queryByRole('navigation', { name: 'Course outline' })).toBeNull();
  });

  it('shows a timed exam\'s start page instead of its units', async () => {
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      if (url === `/api/courseware/course/${C}`) {
        return json({ id: C, name: 'Demo', tabs: [], course_access: { has_access: true }, is_mfe_special_exams_enabled: true });
      }
      if (url === `/api/course_home/v1/outline/${C}`) return json(outline);
      if (url.startsWith('/api/courseware/sequence/')) {
        return json({ ...(sequences[url.slice('/api/courseware/sequence/'.length)] as object), is_time_limited: true });
      }
      if (url.startsWith('/api/edx_proctoring/v1/proctored_exam/attempt/course_id/')) {
        return json({ exam: { id: 1, exam_name: 'First', time_limit_mins: 90, type: 'timed', attempt: {} }, active_attempt: {} });
      }
      return json({ success: true });
    }));
    renderAt(`/learning/course/${C}/${b('sequential', 's1')}/${b('vertical', 'a')}`);
    expect(await screen.findByRole('heading', { name: 'Subsection is a Timed Exam (1 hour and 30 minutes)' })).toBeTruthy();
    expect(screen.queryByTitle('Course content: A')).toBeNull();
    expect(screen.getByRole('button', { name: 'I am ready to start this timed exam.' })).toBeTruthy();
  });

  it('keeps a new bookmark when a sequence read that started before it answers late', async () => {
    let bookmarked = false;
    let hold: ((r: Response) => void) | null = null;
    let reads = 0;
    vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
      if (url === `/api/courseware/course/${C}`) return json({ id: C, name: 'Demo', tabs: [], course_access: { has_access: true } });
      if (url === `/api/course_home/v1/outline/${C}`) return json(outline);
      if (url === '/csrf/api/v1/token') return json({ csrfToken: 'tok' });
      if (url.startsWith('/api/courseware/sequence/')) {
        reads += 1;
        const body = structuredClone(sequences[b('sequential', 's1')]) as { items: Record<string, unknown>[] };
        body.items[0].bookmarked = bookmarked;
        // The second read (the window regaining focus) answers only after the bookmark is saved.
        if (reads === 2) return new Promise<Response>((resolve) => { hold = resolve; }).then(() => json(body));
        return json(body);
      }
      if (url === '/api/bookmarks/v1/bookmarks/' && init?.method === 'POST') {
        bookmarked = true;
        return json({ id: 'x', usage_id: b('vertical', 'a') }, 201);
      }
      return json({ success: true });
    }));
    renderAt(`/learning/course/${C}/${b('sequential', 's1')}/${b('vertical', 'a')}`);
    await screen.findByRole('heading', { level: 1, name: 'A' });
    window.dispatchEvent(new Event('focus'));
    await waitFor(() => expect(hold).not.toBeNull());
    fireEvent.click(screen.getByRole('button', { name: 'Bookmark this page' }));
    const pressed = await screen.findByRole('button', { name: 'Bookmarked' });
    expect(pressed.getAttribute('aria-pressed')).toBe('true');
    (hold as unknown as (r: Response) => void)(new Response());
    await waitFor(() => expect(reads).toBe(3));
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.getByRole('button', { name: 'Bookmarked' }).getAttribute('aria-pressed')).toBe('true');
  });
});
