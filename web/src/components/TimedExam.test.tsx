import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { IntlProvider } from 'react-intl';
import { TimedExam } from './TimedExam';

const C = 'course-v1:edX+DemoX+Demo_Course';
const SEQ = 'block-v1:edX+DemoX+Demo_Course+type@sequential+block@exam';
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A server holding one learner's attempt, as edx-proctoring's legacy attempt API answers. */
function server(opts: { remaining?: number; status?: string | null; passedDue?: boolean } = {}) {
  const state = { status: opts.status ?? null as string | null, remaining: opts.remaining ?? 1800, calls: [] as string[] };
  const attempt = () => (state.status ? {
    attempt_id: 7, attempt_status: state.status, time_remaining_seconds: state.remaining,
    low_threshold_sec: 360, critically_low_threshold_sec: 90, exam_display_name: 'Final exam', exam_type: 'a timed exam',
  } : {});
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    const sent = init?.body ? JSON.parse(String(init.body)) : null;
    state.calls.push(`${method} ${url.replace(/\?.*/, '')}${sent ? ` ${JSON.stringify(sent)}` : ''}`);
    if (url.startsWith('/csrf/api/v1/token')) return json({ csrfToken: 't' });
    if (method === 'GET' && url.includes('/attempt/course_id/')) {
      expect(url).toContain(`content_id=${encodeURIComponent(SEQ)}`);
      return json({
        exam: { id: 3, exam_name: 'Final exam', time_limit_mins: 30, type: 'timed', total_time: '30 minutes', attempt: attempt(), passed_due_date: opts.passedDue === true },
        active_attempt: attempt(),
      });
    }
    if (method === 'POST' && url.endsWith('/proctored_exam/attempt')) {
      expect(sent).toEqual({ exam_id: 3, start_clock: 'true' });
      state.status = 'started';
      return json({ exam_attempt_id: 7 });
    }
    if (method === 'PUT' && url.endsWith('/proctored_exam/attempt/7')) {
      state.status = { stop: 'ready_to_submit', start: 'started', submit: 'submitted' }[sent.action as string] ?? state.status;
      return json({ exam_attempt_id: 7 });
    }
    return json({ detail: 'Not found.' }, 404);
  });
  vi.stubGlobal('fetch', fetchMock);
  return state;
}

function renderExam() {
  return render(
    <IntlProvider locale="en" messages={{}}>
      <TimedExam courseId={C} sequenceId={SEQ}><p data-testid="content">the units</p></TimedExam>
    </IntlProvider>,
  );
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('a timed exam in the player', () => {
  it('starts, runs the timer, ends with confirmation, continues, then submits', async () => {
    const state = server();
    renderExam();
    expect(await screen.findByRole('heading', { name: 'Subsection is a Timed Exam (30 minutes)' })).toBeTruthy();
    expect(screen.getByText(/you will have 30 minutes to complete and submit the exam/)).toBeTruthy();
    expect(screen.queryByTestId('content')).toBeNull();

    fireEvent.click(screen.getByTestId('exam-start'));
    expect(await screen.findByTestId('content')).toBeTruthy();
    expect(state.calls).toContain('POST /api/edx_proctoring/v1/proctored_exam/attempt {"exam_id":3,"start_clock":"true"}');
    const timer = screen.getByTestId('exam-timer');
    expect(timer.getAttribute('data-level')).toBe('normal');
    expect(screen.getByRole('timer').textContent).toMatch(/^00:(30:00|29:59)$/);
    expect(timer.textContent).toContain('You are taking "Final exam" as a timed exam.');
    expect(screen.getByTestId('exam-announce').textContent).toBe('');

    fireEvent.click(screen.getByTestId('exam-end'));
    const sure = await screen.findByRole('heading', { name: 'Are you sure that you want to submit your timed exam?' });
    await waitFor(() => expect(document.activeElement).toBe(sure));
    expect(state.calls).toContain('PUT /api/edx_proctoring/v1/proctored_exam/attempt/7 {"action":"stop"}');
    expect(screen.queryByTestId('exam-end')).toBeNull(); // the timer runs on, without its End button

    fireEvent.click(screen.getByTestId('exam-continue'));
    expect(await screen.findByTestId('content')).toBeTruthy();
    fireEvent.click(screen.getByTestId('exam-end'));
    fireEvent.click(await screen.findByTestId('exam-submit'));
    expect(await screen.findByRole('heading', { name: 'You have submitted your timed exam.' })).toBeTruthy();
    expect(state.calls).toContain('PUT /api/edx_proctoring/v1/proctored_exam/attempt/7 {"action":"submit"}');
    expect(screen.queryByTestId('exam-timer')).toBeNull();
    expect(screen.queryByTestId('content')).toBeNull();
  });

  it('warns when the time is low and announces it', async () => {
    server({ status: 'started', remaining: 300 });
    renderExam();
    const timer = await screen.findByTestId('exam-timer');
    expect(timer.getAttribute('data-level')).toBe('low');
    expect(timer.className).toContain('alert-warning');
    const live = screen.getByTestId('exam-announce');
    expect(live.getAttribute('aria-live')).toBe('assertive');
    expect(live.textContent).toBe('You have less than 6 minutes remaining in this exam.');
  });

  it('submits when the time is up and the grace period is over, then says the time expired', async () => {
    const state = server({ status: 'started', remaining: 60 });
    renderExam();
    const timer = await screen.findByTestId('exam-timer');
    expect(timer.getAttribute('data-level')).toBe('critical');
    const start = Date.now();
    vi.spyOn(Date, 'now').mockImplementation(() => start + 70_000);
    expect(await screen.findByRole('heading', { name: 'The time allotted for this exam has expired.' }, { timeout: 3000 })).toBeTruthy();
    expect(state.calls).toContain('PUT /api/edx_proctoring/v1/proctored_exam/attempt/7 {"action":"submit"}');
  });

  it('shows the expired page past the due date without an attempt', async () => {
    server({ passedDue: true });
    renderExam();
    expect(await screen.findByRole('heading', { name: 'The due date for this exam has passed' })).toBeTruthy();
    expect(screen.queryByTestId('exam-start')).toBeNull();
  });

  it('shows the sequence as it is when it is no exam', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json({ exam: {}, active_attempt: {} })));
    renderExam();
    expect(await screen.findByTestId('content')).toBeTruthy();
  });
});
