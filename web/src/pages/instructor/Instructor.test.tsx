import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { IntlProvider } from 'react-intl';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { SiteProvider } from '../../components/SiteContext';
import { DEFAULT_CONFIG } from '../../api/config';
import Instructor from './Instructor';

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const course = 'course-v1:edX+DemoX+Demo_Course';
const meta = (staff: boolean) => ({ id: course, name: 'Demonstration Course', org: 'edX', number: 'DemoX',
  start: '2013-02-05T05:00:00Z', end: null, pacing: 'instructor', is_staff: staff, original_user_is_staff: staff });

function renderPage(tab = '') {
  return render(
    <IntlProvider locale="en" messages={{}}>
      <SiteProvider config={DEFAULT_CONFIG} initialUser={{ userId: 2, username: 'teacher', administrator: false, roles: [] }}>
        <MemoryRouter initialEntries={[`/courses/${course}/instructor${tab}`]}>
          <Routes>
            <Route path="/courses/:courseId/instructor" element={<Instructor />} />
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

describe('Instructor page', () => {
  it('shows the 403 page to a learner without calling an instructor endpoint', async () => {
    const fetch = vi.fn(async (url: string) => {
      if (url.startsWith('/api/courseware/course/')) return json(meta(false));
      throw new Error(`unexpected ${url}`);
    });
    vi.stubGlobal('fetch', fetch);
    renderPage();
    expect(await screen.findByRole('heading', { name: 'This page is for the course team' })).toBeTruthy();
    expect(fetch.mock.calls.every(([url]) => !String(url).includes('/instructor/api/'))).toBe(true);
  });

  it('enrolls a pasted list and shows one result per identifier', async () => {
    let sent: URLSearchParams | null = null;
    vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
      if (url.startsWith('/api/courseware/course/')) return json(meta(true));
      if (url === '/csrf/api/v1/token') return json({ csrfToken: 't' });
      if (url.endsWith('/instructor/api/students_update_enrollment')) {
        sent = new URLSearchParams(String(init?.body));
        return json({ action: 'enroll', auto_enroll: true, results: [
          { identifier: 'ada', before: { user: true, enrollment: false, allowed: false, auto_enroll: false }, after: { user: true, enrollment: true, allowed: false, auto_enroll: false } },
          { identifier: 'new@example.com', before: { user: false, enrollment: false, allowed: false, auto_enroll: false }, after: { user: false, enrollment: false, allowed: true, auto_enroll: true } },
          { identifier: 'zz', invalidIdentifier: true },
        ] });
      }
      throw new Error(`unexpected ${url}`);
    }));
    renderPage('?tab=membership');
    const box = await screen.findByLabelText('Email addresses or usernames');
    fireEvent.change(box, { target: { value: 'ada, new@example.com\nzz\nada' } });
    expect(screen.getByText('3 learners in the list')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Enroll' }));
    await screen.findByText('Will be enrolled once registered');
    expect(sent!.get('identifiers')).toBe('ada\nnew@example.com\nzz');
    expect(sent!.get('action')).toBe('enroll');
    expect(sent!.get('auto_enroll')).toBe('true');
    expect(sent!.get('email_students')).toBe('true');
    expect(screen.getByText('Enrolled')).toBeTruthy();
    expect(screen.getByText('Invalid email address or username')).toBeTruthy();
  });

  it('shows modify_access replies next to their row and a retry after a network failure', async () => {
    let calls = 0;
    vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
      if (url.startsWith('/api/courseware/course/')) return json(meta(true));
      if (url === '/csrf/api/v1/token') return json({ csrfToken: 't' });
      if (url.endsWith('/instructor/api/modify_access')) {
        calls += 1;
        if (calls === 2) throw new TypeError('Failed to fetch');
        const who = new URLSearchParams(String(init?.body)).get('unique_student_identifier');
        return json(who === 'ghost' ? { unique_student_identifier: 'ghost', userDoesNotExist: true }
          : { unique_student_identifier: who, rolename: 'staff', action: 'allow', success: 'yes' });
      }
      throw new Error(`unexpected ${url}`);
    }));
    renderPage('?tab=membership');
    const field = await screen.findByLabelText('Email address or username');
    fireEvent.change(field, { target: { value: 'ghost' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add to role' }));
    expect(await screen.findByText('There is no user with this email address or username.')).toBeTruthy();
    fireEvent.change(field, { target: { value: 'bea' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add to role' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.getByText('Done')).toBeTruthy());
  });
});
