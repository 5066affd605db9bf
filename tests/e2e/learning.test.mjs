// The learning pages in a real browser (Debian's chromium, headless): a new
// learner enrolls in the Demo course, opens its home page (outline, dates,
// progress), starts the course in the courseware player, walks previous/next
// across subsections, answers one problem right and one wrong inside the
// unit iframe, sees the units marked complete, bookmarks a unit and finds the
// grade changed on the progress tab; then the dashboard's Resume button, the
// player in Arabic (right to left) and the retry panel on a network failure.
// Every page is screenshotted (learning-NN-*.png in LARCH_E2E_SCREENSHOT_DIR)
// and checked with axe-core, the unit iframe included; console errors fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  args, base, browserPath, shots, checker, demo, focusedIs, focusedText, servesWebApp, settle, tabTo, watch,
} from './web_helpers.mjs';

const skip = !base ? 'LARCH_E2E_URL is not set'
  : !process.env.LARCH_E2E_DEMO ? 'the Demo course is not imported (LARCH_SHARED_OLX)'
  : !existsSync(browserPath) ? `${browserPath} is missing (scripts/install_deps.sh test)`
  : !(await servesWebApp()) ? 'larch serve does not serve web/dist (scripts/build_web.sh)' : false;

const check = checker('learning');
const block = (type, id) => `block-v1:edX+DemoX+Demo_Course+type@${type}+block@${id}`;
// "Homework - Question Styles" (graded) and the subsection before it.
const questions = block('sequential', 'basic_questions');
const before = block('sequential', '19a30717eff543078a5d94ae9d6c18a5');
const textInput = block('vertical', 'e8a5cc2aed424838853defab7be45e42'); // answer: France
const numerical = block('vertical', '2889db1677a549abb15eb4d886f95d1c');
const frame = (page) => page.frameLocator('iframe.larch-unit-frame');
// Problem units are checked inside their iframe too: every capa input has an
// accessible name (its label, else the question before it).
const problemUnit = { frames: true };

async function register(page, username) {
  const result = await page.evaluate(async (name) => {
    const token = (await (await fetch('/csrf/api/v1/token')).json()).csrfToken;
    const body = new URLSearchParams({
      email: `${name}@example.com`, name: 'Lou Learner', username: name, password: 'Larch-learner-9',
      honor_code: 'true', terms_of_service: 'true',
    });
    const r = await fetch('/api/user/v2/account/registration/', { method: 'POST', headers: { 'X-CSRFToken': token }, body });
    return r.status;
  }, username);
  assert.equal(result, 200);
}

async function progressScore(page) {
  const grade = (await page.getByTestId('current-grade').textContent()).trim();
  const row = (await page.getByTestId('subsection-score').filter({ hasText: 'Homework - Question Styles' }).first().textContent()).trim();
  return { grade, row };
}

async function answer(page, unit, values, verdict) {
  const link = page.locator(`.larch-seq-unit[data-unit-id="${unit}"]`);
  await link.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => decodeURIComponent(u.pathname).endsWith(unit));
  const inputs = frame(page).locator('section.xblock-problem input[type=text]');
  await inputs.first().waitFor();
  assert.equal(await inputs.count(), values.length);
  for (let i = 0; i < values.length; i += 1) {
    await inputs.nth(i).focus();
    await page.keyboard.type(values[i]);
  }
  await page.keyboard.press('Enter'); // submits the problem form
  await frame(page).locator('section.xblock-problem .notification', { hasText: verdict }).waitFor();
  // The player reads completion again after the iframe's handler call.
  await page.getByTestId('unit-complete').waitFor();
  await page.locator(`.larch-seq-unit.complete[data-unit-id="${unit}"]`).waitFor();
}

test('a learner studies the Demo course: home, player, problems, completion and progress', { skip, timeout: 300_000 }, async () => {
  const browser = await chromium.launch({ executablePath: browserPath, headless: true, args });
  let page;
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    // The Demo course's videos live on Amazon S3 and YouTube: no Internet here, fail them at once.
    await context.route((url) => url.hostname !== new URL(base).hostname, (route) => route.abort());
    page = await context.newPage();
    const errors = watch(page);
    await page.goto(`${base}/`);
    // The home page's catalog search first: registering rotates the CSRF cookie, and a search
    // still in flight then fails with 403.
    await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.includes('/search/course_discovery/')), null, { polling: 100 });
    await settle(page);
    await register(page, `student${Date.now() % 1e8}`);

    // Not enrolled yet: the course home asks to enroll from the about page.
    await page.goto(`${base}/learning/course/${demo}/home`);
    await page.getByText('You are not enrolled in this course.').waitFor();
    await check(page, 'course-home-not-enrolled');
    await page.getByRole('link', { name: 'Go to the course page' }).focus();
    await page.keyboard.press('Enter');

    // Enroll from the about page, then "View course", by keyboard.
    await page.waitForURL(`${base}/courses/${demo}/about`);
    await page.getByRole('button', { name: 'Enroll now' }).waitFor();
    await tabTo(page, focusedText('Enroll now'), 'Enroll now');
    await page.keyboard.press('Enter');
    await tabTo(page, focusedText('View course'), 'View course');
    await page.keyboard.press('Enter');

    // Course home: the outline with its Start button and the handouts.
    await page.waitForURL(new RegExp(`/learning/course/${demo.replace(/\+/g, '\\+')}/home$`));
    await page.getByRole('heading', { name: 'Course outline' }).waitFor();
    await page.getByRole('link', { name: 'Start course' }).waitFor();
    await page.getByRole('heading', { name: 'Course handouts' }).waitFor();
    assert.equal(await page.locator('.larch-course-tabs a.active').textContent(), 'Course');
    await check(page, 'course-home');

    // Dates and progress tabs, reached from the course tabs by keyboard.
    await page.locator('.larch-course-tabs a', { hasText: 'Course' }).focus();
    await tabTo(page, focusedText('Dates'), 'the Dates tab', 5);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Important dates' }).waitFor();
    await page.getByText('Course starts').waitFor();
    await check(page, 'course-dates');
    await page.locator('.larch-course-tabs a', { hasText: 'Course' }).focus();
    await tabTo(page, focusedText('Progress'), 'the Progress tab', 5);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Grade summary' }).waitFor();
    const start = await progressScore(page);
    assert.equal(start.grade, '0%');
    assert.match(start.row, /0\/\d+/);
    await check(page, 'course-progress-start');

    // Start the course: the player shows the first unit of the first subsection.
    await page.locator('.larch-course-tabs a', { hasText: 'Course' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Start course' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/learning\/course\/[^/]+\/block-v1[^/]+type@sequential[^/]+\/block-v1[^/]+type@vertical/);
    await frame(page).locator('section.xblock').first().waitFor();
    await check(page, 'courseware-start');

    // Previous from a subsection's first unit goes to the last unit of the one before; Next comes back.
    await page.goto(`${base}/learning/course/${demo}/${questions}`); // the saved position: its first unit
    await page.waitForURL((u) => /type@vertical/.test(u.pathname));
    await page.locator('.larch-nav-prev.larch-nav-big').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => decodeURIComponent(u.pathname).includes(before));
    const lastBefore = await page.locator('.larch-seq-units li:last-child .larch-seq-unit').getAttribute('data-unit-id');
    assert.ok(decodeURIComponent(page.url()).endsWith(lastBefore), 'Previous lands on the last unit');
    // The unit's title takes the focus after the move, as in the MFE.
    await page.waitForFunction(() => document.activeElement?.matches('[data-testid="unit-title"]'));
    await page.locator('.larch-nav-next.larch-nav-big').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => decodeURIComponent(u.pathname).includes(questions));
    await page.getByRole('navigation', { name: /Units of Homework - Question Styles/ }).waitFor();
    await page.waitForFunction(() => document.activeElement?.matches('[data-testid="unit-title"]'));

    // The outline sidebar: every subsection with its completion, the current one marked.
    await page.getByRole('button', { name: 'Show the course outline' }).click();
    const sidebar = page.getByRole('navigation', { name: 'Course outline' });
    await sidebar.getByRole('link', { name: /Homework - Question Styles/ }).waitFor();
    assert.equal(await sidebar.locator('a[aria-current="page"]').count(), 1);
    await check(page, 'courseware-sidebar');
    await page.getByRole('button', { name: 'Hide the course outline' }).click();

    // One right answer and one wrong, inside the unit iframe; both units complete.
    await answer(page, textInput, ['France'], 'Correct');
    await check(page, 'courseware-correct', problemUnit);
    await answer(page, numerical, ['1', '1', '1'], 'Incorrect');

    // Bookmark the unit: the button turns pressed and the sequence bar marks it.
    await page.getByRole('button', { name: 'Bookmark this page' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Bookmarked', pressed: true }).waitFor();
    await page.locator(`.larch-seq-unit[data-unit-id="${numerical}"] .larch-seq-bookmark`).waitFor();
    await check(page, 'courseware-incorrect-bookmarked', problemUnit);
    const marks = await page.evaluate(async () => (await (await fetch('/api/bookmarks/v1/bookmarks/?course_id=course-v1:edX%2BDemoX%2BDemo_Course')).json()).count);
    assert.equal(marks, 1);

    // The progress tab shows the new score and a higher grade.
    await page.goto(`${base}/learning/course/${demo}/progress`);
    await page.getByRole('heading', { name: 'Grade summary' }).waitFor();
    const after = await progressScore(page);
    assert.notEqual(after.grade, '0%');
    assert.notEqual(after.row, start.row);
    assert.match(after.row, /[1-9]\d*\/\d+/);
    await check(page, 'course-progress-after');

    // The outline shows the learner's place: Resume course.
    await page.goto(`${base}/learning/course/${demo}/home`);
    await page.getByRole('link', { name: 'Resume course' }).waitFor();
    // The section of the answered problems is open, its subsection marked as the last visited.
    await page.locator('.larch-outline-sequences:not([hidden]) li', { hasText: 'Homework - Question Styles' })
      .locator('.larch-resume-badge', { hasText: 'Last visited' }).waitFor();
    await check(page, 'course-home-resume');

    // The dashboard's Resume button opens the player.
    await page.goto(`${base}/dashboard`);
    await page.locator('.larch-dashboard-card', { hasText: 'Demonstration Course' }).waitFor();
    await page.locator('.larch-skip-link').focus();
    await tabTo(page, focusedIs('.larch-dashboard-actions a.btn-primary'), 'the Resume button');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/learning\/course\//);
    await frame(page).locator('section.xblock').first().waitFor();

    // The player in Arabic: right to left.
    await page.goto(`${base}/learning/course/${demo}/${questions}/${textInput}?lang=ar`);
    await frame(page).locator('section.xblock').first().waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    await page.getByRole('link', { name: 'التالي' }).first().waitFor();
    await check(page, 'courseware-arabic', problemUnit);
    await page.goto(`${base}/learning/course/${demo}/progress?lang=en`);
    await page.getByRole('heading', { name: 'Grade summary' }).waitFor();

    // A network failure on the outline: the retry panel, then the outline.
    page.__allowNetworkErrors = true;
    await page.route('**/api/course_home/v1/outline/**', (route) => route.abort('internetdisconnected'));
    await page.goto(`${base}/learning/course/${demo}/home`);
    await page.getByRole('button', { name: 'Try again' }).waitFor();
    await check(page, 'course-home-network-failure');
    await page.unroute('**/api/course_home/v1/outline/**');
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'Course outline' }).waitFor();
    page.__allowNetworkErrors = false;

    assert.deepEqual(errors, []);
  } catch (e) {
    // What the page showed when the test failed, next to the other screenshots.
    await page?.screenshot({ path: path.join(shots, 'learning-failure.png'), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await browser.close();
  }
});
