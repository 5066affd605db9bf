// The unit page in a real browser: chromium (headless, the Debian package)
// signs in with the session flow the MFE uses, opens a unit of the edX Demo
// course at the URL the learning MFE puts in its iframe, answers its problem
// through the page's own script, and sees the server's verdict. The
// screenshot goes to LARCH_E2E_SCREENSHOT_DIR (the build dir under ctest).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const base = process.env.LARCH_E2E_URL;
const email = process.env.LARCH_E2E_EMAIL ?? 'e2e-admin@example.com';
const password = process.env.LARCH_E2E_PASSWORD ?? 'E2e-Secret-Pass-1';
const shots = process.env.LARCH_E2E_SCREENSHOT_DIR ?? '.';
const browserPath = '/usr/bin/chromium';

const demo = 'course-v1:edX+DemoX+Demo_Course';
// "Text input": a text problem (the answer is France) and a discussion.
const unit = 'block-v1:edX+DemoX+Demo_Course+type@vertical+block@e8a5cc2aed424838853defab7be45e42';
const input = 'input_0d759dee4f9d459c8956136dbde55f02_2_1';

const skip = !process.env.LARCH_E2E_DEMO ? 'the Demo course is not imported (LARCH_SHARED_OLX)'
  : !existsSync(browserPath) ? `${browserPath} is missing (scripts/install_deps.sh test)` : false;

test('a learner answers a Demo course problem on the unit page', { skip }, async () => {
  const browser = await chromium.launch({ executablePath: browserPath, headless: true,
    args: ['--no-sandbox'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // Sign in as the MFE does: the login form sets the CSRF cookie, the POST
    // with it sets the session cookie in the browser.
    await page.goto(base + '/api/user/v1/account/login_session/');
    const signedIn = await page.evaluate(async ({ email, password }) => {
      const csrf = document.cookie.match(/csrftoken=([^;]+)/)[1];
      const login = await fetch('/api/user/v1/account/login_session/', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'X-CSRFToken': csrf, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email, password }).toString(),
      });
      return login.status;
    }, { email, password });
    assert.equal(signedIn, 200);
    const enrolled = await page.evaluate(async (course) => {
      const csrf = document.cookie.match(/csrftoken=([^;]+)/)[1];
      const r = await fetch('/api/enrollment/v1/enrollment', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'X-CSRFToken': csrf, 'Content-Type': 'application/json' },
        body: JSON.stringify({ course_details: { course_id: course } }),
      });
      return r.status;
    }, demo);
    assert.equal(enrolled, 200);

    const response = await page.goto(
      `${base}/xblock/${unit}?view=student_view&show_title=0&show_bookmark_button=0&recheck_access=1`);
    assert.equal(response.status(), 200);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(await page.textContent('h1'), /Text input/);

    // A wrong answer first, then the right one, through the page's script.
    await page.fill(`[name="${input}"]`, 'Spain');
    await page.click('section.xblock-problem button[data-action="problem_check"]');
    const note = page.locator('section.xblock-problem .notification');
    await note.filter({ hasText: 'Incorrect' }).waitFor();
    await page.fill(`[name="${input}"]`, 'France');
    await page.click('section.xblock-problem button[data-action="problem_check"]');
    await note.filter({ hasText: /^Correct$/ }).waitFor();
    assert.equal(await note.getAttribute('class'), 'notification correct');
    assert.match(await page.textContent('section.xblock-problem .problem-progress'), /\(1\/1 point\)/);
    // The re-rendered problem keeps the answer and marks it correct.
    assert.equal(await page.inputValue(`[name="${input}"]`), 'France');
    assert.equal(await page.locator('section.xblock-problem .status.correct').count(), 1);

    await page.click('section.xblock-problem button[data-action="problem_show"]');
    await page.locator('section.xblock-problem .answer-shown, section.xblock-problem .solution-span span:not(:empty)')
      .first().waitFor();
    assert.deepEqual(errors, []);
    await page.screenshot({ path: path.join(shots, 'unit_page.png'), fullPage: true });
  } finally {
    await browser.close();
  }
});

test('a unit\'s html block is complete once the learner has seen it', { skip }, async () => {
  const browser = await chromium.launch({ executablePath: browserPath, headless: true,
    args: ['--no-sandbox'] });
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(base + '/api/user/v1/account/login_session/');
    const status = await page.evaluate(async ({ email, password, course }) => {
      // Signing in rotates the CSRF token: read the cookie before each POST.
      const csrf = () => document.cookie.match(/csrftoken=([^;]+)/)[1];
      const login = await fetch('/api/user/v1/account/login_session/', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'X-CSRFToken': csrf(), 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email, password }).toString(),
      });
      const enroll = await fetch('/api/enrollment/v1/enrollment', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'X-CSRFToken': csrf(), 'Content-Type': 'application/json' },
        body: JSON.stringify({ course_details: { course_id: course } }),
      });
      return [login.status, enroll.status];
    }, { email, password, course: demo });
    assert.deepEqual(status, [200, 200]);

    // "Introduction: Video and Sequences": an html block and a video.
    const intro = 'block-v1:edX+DemoX+Demo_Course+type@vertical+block@vertical_0270f6de40fc';
    const html = 'block-v1:edX+DemoX+Demo_Course+type@html+block@030e35c4756a4ddc8d40b95fbbfff4d4';
    const published = page.waitForResponse((r) => r.url().includes(`${html}/handler/publish_completion`));
    await page.goto(`${base}/xblock/${intro}?view=student_view&show_title=0`);
    const reply = await published;
    assert.equal(reply.status(), 200);
    assert.deepEqual(await reply.json(), { result: 'ok' });
    const resume = await page.evaluate(async (course) =>
      (await fetch(`/api/courseware/resume/${course}`, { credentials: 'same-origin' })).json(), demo);
    assert.equal(resume.block_id, html);
    assert.equal(resume.unit_id, intro);
  } finally {
    await browser.close();
  }
});
