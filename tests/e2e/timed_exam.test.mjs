// A timed exam in the real player against the real server (issues 10, 11):
// a new learner enrolls in run.sh's Timed Exam Course, opens its one-minute
// timed subsection and gets the start page, starts the exam (the timer bar
// and the unit), answers the problem right inside the unit iframe, ends the
// exam (End My Exam, the "are you sure" page, Yes) and sees the submitted
// page; a second answer is then refused as upstream refuses it for a closed
// exam. The expiry page ("The time allotted for this exam has expired.") is
// not reached: the shortest limit is a minute plus the library's 5 s grace.
// Every page is screenshotted (timed-exam-NN-*.png) and checked with axe-core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  args, base, browserPath, shots, checker, servesWebApp, settle, watch,
} from './web_helpers.mjs';

const skip = !base ? 'LARCH_E2E_URL is not set'
  : !existsSync(browserPath) ? `${browserPath} is missing (scripts/install_deps.sh test)`
  : !(await servesWebApp()) ? 'larch serve does not serve web/dist (scripts/build_web.sh)' : false;

const check = checker('timed-exam');
const course = 'course-v1:Larch+TimedX+2026';
const block = (type, id) => `block-v1:Larch+TimedX+2026+type@${type}+block@${id}`;
const exam = block('sequential', 'exam');
const problem = block('problem', 'capital');
const frame = (page) => page.frameLocator('iframe.larch-unit-frame');
const stateChanged = 'The state of this problem has changed since you loaded this page. Please refresh your page.';

/** A fetch from the page with the CSRF token, as the web app sends its writes. */
async function call(page, method, url, body, form = false) {
  return page.evaluate(async ({ method, url, body, form }) => {
    const token = (await (await fetch('/csrf/api/v1/token')).json()).csrfToken;
    const headers = { 'X-CSRFToken': token, 'USE-JWT-COOKIE': 'true' };
    if (!form) headers['Content-Type'] = 'application/json';
    const r = await fetch(url, { method, headers, body: form ? new URLSearchParams(body) : JSON.stringify(body) });
    return { status: r.status, body: await r.text() };
  }, { method, url, body, form });
}

async function register(page, username) {
  const r = await call(page, 'POST', '/api/user/v2/account/registration/', {
    email: `${username}@example.com`, name: 'Tam Examinee', username, password: 'Larch-learner-9',
    honor_code: 'true', terms_of_service: 'true',
  }, true);
  assert.equal(r.status, 200, r.body);
}

async function examState(page) {
  const url = `/api/edx_proctoring/v1/proctored_exam/attempt/course_id/${encodeURIComponent(course)}?content_id=${encodeURIComponent(exam)}&is_learning_mfe=true`;
  return page.evaluate(async (u) => (await fetch(u, { headers: { 'USE-JWT-COOKIE': 'true' } })).json(), url);
}

test('a learner takes a timed exam: start page, timer, answer, end, submitted, closed', { skip, timeout: 120_000 }, async () => {
  const browser = await chromium.launch({ executablePath: browserPath, headless: true, args });
  let page;
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    await context.route((url) => url.hostname !== new URL(base).hostname, (route) => route.abort());
    page = await context.newPage();
    const errors = watch(page);
    await page.goto(`${base}/`);
    // The home page's catalog search first: registering rotates the CSRF cookie under it.
    await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.includes('/search/course_discovery/')), null, { polling: 100 });
    await settle(page);
    await register(page, `examinee${Date.now() % 1e8}`);
    const enrolled = await call(page, 'POST', '/api/enrollment/v1/enrollment', { course_details: { course_id: course } });
    assert.equal(enrolled.status, 200, enrolled.body);

    // The start page instead of the sequence bar and the unit.
    await page.goto(`${base}/learning/course/${course}/${exam}`);
    const start = page.getByTestId('exam-screen-start');
    await start.getByRole('heading', { name: 'Subsection is a Timed Exam (1 minute)' }).waitFor();
    await start.getByText('you will have 1 minute to complete and submit the exam').waitFor();
    assert.equal(await page.locator('iframe.larch-unit-frame').count(), 0, 'no unit before the start');
    assert.equal(await page.getByTestId('exam-timer').count(), 0);
    assert.deepEqual((await examState(page)).active_attempt, {});
    await check(page, 'start');

    // Start: the timer bar counts down from 1 minute above the unit.
    await page.getByRole('button', { name: 'I am ready to start this timed exam.' }).click();
    const timer = page.getByTestId('exam-timer');
    await timer.getByText('You are taking "Final Quiz" as a timed exam.').waitFor();
    const clock = timer.getByRole('timer');
    assert.match(await clock.textContent(), /^00:00:[0-5]\d$|^00:01:00$/);
    await page.waitForURL((u) => /type@vertical/.test(decodeURIComponent(u.pathname)));
    const input = frame(page).locator('section.xblock-problem input[type=text]');
    await input.waitFor();
    const started = await examState(page);
    assert.equal(started.active_attempt.attempt_status, 'started');
    assert.ok(started.active_attempt.time_remaining_seconds > 0 && started.active_attempt.time_remaining_seconds <= 60);
    await check(page, 'started');

    // The right answer inside the iframe, by keyboard.
    await input.focus();
    await page.keyboard.type('Paris');
    await page.keyboard.press('Enter');
    await frame(page).locator('section.xblock-problem .notification', { hasText: 'Correct' }).waitFor();
    await check(page, 'answered');
    const seconds = async () => (await clock.textContent()).split(':').reduce((a, b) => a * 60 + Number(b), 0);
    const before = await seconds();

    // End My Exam: the "are you sure" page with the timer still running.
    await page.getByRole('button', { name: 'End My Exam' }).click();
    const confirm = page.getByTestId('exam-screen-ready_to_submit');
    await confirm.getByRole('heading', { name: 'Are you sure that you want to submit your timed exam?' }).waitFor();
    await page.waitForFunction(() => document.activeElement?.matches('h2'), null, { polling: 100 });
    assert.equal(await page.locator('iframe.larch-unit-frame').count(), 0);
    await timer.waitFor();
    assert.equal(await page.getByRole('button', { name: 'End My Exam' }).count(), 0);
    await check(page, 'confirm');
    // The clock runs on there (the deadline read again may differ by a second from the old one).
    const shown = await clock.textContent();
    const shownSeconds = await seconds();
    assert.ok(shownSeconds > 0 && shownSeconds <= before + 1, `${shown} after ${before} s`);
    // Counting down: a later reading below this one (a re-read deadline may first show a second more).
    const counted = await page.waitForFunction((s) => {
      const text = document.querySelector('[role="timer"]')?.textContent ?? '';
      return text.split(':').reduce((a, b) => a * 60 + Number(b), 0) < s;
    }, shownSeconds, { polling: 100, timeout: 5000 }).then(() => true, () => false);
    assert.ok(counted, `the clock counts down from ${shown}`);

    // Yes: submitted.
    await page.getByRole('button', { name: 'Yes, submit my timed exam.' }).click();
    await page.getByTestId('exam-screen-submitted')
      .getByRole('heading', { name: 'You have submitted your timed exam.' }).waitFor();
    assert.equal(await page.getByTestId('exam-timer').count(), 0);
    assert.equal(await page.locator('iframe.larch-unit-frame').count(), 0);
    const submitted = await examState(page);
    assert.equal(submitted.exam.attempt.attempt_status, 'submitted');
    await check(page, 'submitted');

    // A second answer is refused as a closed problem's (docs/api/special_exams.md).
    const again = await call(page, 'POST', `/courses/${course}/xblock/${problem}/handler/xmodule_handler/problem_check`,
      { input_capital_2_1: 'Lyon' }, true);
    assert.equal(again.status, 200, again.body);
    assert.equal(JSON.parse(again.body).success, stateChanged);
    // The unit page itself sends the learner back to the exam's notice.
    const unitPage = await page.evaluate(async (u) => (await fetch(u, { redirect: 'manual' })).type, `/xblock/${block('vertical', 'exam_unit')}`);
    assert.equal(unitPage, 'opaqueredirect');
    // The score kept is the right answer's.
    const progress = await page.evaluate(async (u) => (await fetch(u, { headers: { 'USE-JWT-COOKIE': 'true' } })).json(),
      `/api/course_home/v1/progress/${encodeURIComponent(course)}`);
    const scores = JSON.stringify(progress.section_scores ?? progress);
    assert.match(scores, /"num_points_earned":1/);

    assert.deepEqual(errors, []);
  } catch (e) {
    await page?.screenshot({ path: path.join(shots, 'timed-exam-failure.png'), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await browser.close();
  }
});
