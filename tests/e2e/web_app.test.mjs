// The web app in a real browser (Debian's chromium, headless): a new learner
// registers, sees the activation notice, activates through the mailed link,
// signs out and in, searches the catalog, opens the Demo course's about page,
// enrolls and signs out, with the keyboard alone. Every page is screenshotted
// into LARCH_E2E_SCREENSHOT_DIR and checked with axe-core (no serious or
// critical violation) and for console errors. Also: the 404 page, the Arabic
// (right-to-left) catalog, a registration refused with 409, and the retry
// panel when the network fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { openMailbox } from './smtp_sink.mjs';
import {
  args, base, browserPath, checker, demo, focusedIs, focusedText, servesWebApp, tabTo, watch,
} from './web_helpers.mjs';

const maildir = process.env.LARCH_E2E_MAILDIR ?? '';

const skip = !base ? 'LARCH_E2E_URL is not set'
  : !process.env.LARCH_E2E_DEMO ? 'the Demo course is not imported (LARCH_SHARED_OLX)'
  : !existsSync(browserPath) ? `${browserPath} is missing (scripts/install_deps.sh test)`
  : !maildir ? 'LARCH_E2E_MAILDIR is not set'
  : !(await servesWebApp()) ? 'larch serve does not serve web/dist (scripts/build_web.sh)' : false;

const check = checker('web');

async function typeInto(page, selector, text) {
  await tabTo(page, focusedIs(selector), selector);
  await page.keyboard.type(text);
}

function activationPath(mail) {
  const qp = mail.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  let m = qp.match(/\/activate\/([0-9a-f]+)/);
  if (!m) {
    for (const block of mail.split(/\n\n/)) {
      const decoded = Buffer.from(block.replace(/\s+/g, ''), 'base64').toString('utf8');
      m = decoded.match(/\/activate\/([0-9a-f]+)/);
      if (m) break;
    }
  }
  assert.ok(m, 'the activation mail has an /activate/ link');
  return `/activate/${m[1]}`;
}

async function signOut(page) {
  await page.keyboard.press('Home');
  await page.locator('#user-menu').focus();
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Sign out' }).or(page.getByRole('menuitem', { name: 'Sign out' })).or(page.locator('a.dropdown-item', { hasText: 'Sign out' })).first().waitFor();
  await tabTo(page, focusedText('Sign out'), 'Sign out', 10);
  await Promise.all([page.waitForURL(`${base}/`), page.keyboard.press('Enter')]);
  await page.getByRole('link', { name: 'Sign in' }).waitFor();
}

test('a new learner registers, activates, signs in, finds and enrolls in the Demo course', { skip, timeout: 240_000 }, async () => {
  const sink = openMailbox(maildir);
  const browser = await chromium.launch({ executablePath: browserPath, headless: true, args });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const page = await context.newPage();
    const errors = watch(page);
    const suffix = `${Date.now() % 1e8}`;
    const username = `learner${suffix}`;
    const email = `${username}@example.com`;
    const password = 'Larch-learner-9';

    // Catalog (anonymous).
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Learn something new' }).waitFor();
    await page.locator('.larch-course-card').first().waitFor();
    await check(page, 'catalog');

    // Register, by keyboard from the header.
    await page.keyboard.press('Tab'); // skip link
    await tabTo(page, focusedText('Register'), 'the Register button');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Create an account' }).waitFor();
    await page.getByLabel('Email').waitFor();
    await check(page, 'register');
    await typeInto(page, 'input[name=email]', email);
    await typeInto(page, 'input[name=name]', 'Lena Learner');
    await typeInto(page, 'input[name=username]', username);
    await typeInto(page, 'input[name=password]', password);
    await tabTo(page, focusedIs('input[name=honor_code]'), 'the honor code box');
    await page.keyboard.press('Space');
    await tabTo(page, focusedText('Create account'), 'Create account');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/activation/);
    await page.getByText(`We sent an activation link to ${email}`).waitFor();
    await check(page, 'activation-notice');

    // Activate through the mailed link.
    const mail = await sink.find(email);
    const activate = await page.request.get(base + activationPath(mail), { maxRedirects: 0 });
    assert.equal(activate.status(), 302);
    assert.match(activate.headers().location ?? '', /account_activation_status=success/);

    await signOut(page);

    // Sign in again.
    await tabTo(page, focusedText('Sign in'), 'the Sign in button');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await check(page, 'login');
    // A wrong password shows the server's message (a 400 on purpose).
    page.__allowFailure = /\/login_session\/$/;
    await typeInto(page, 'input[name=email_or_username]', username);
    await typeInto(page, 'input[name=password]', 'wrong-password-1');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: /incorrect/i }).waitFor();
    await page.locator('input[name=password]').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    await page.locator('#user-menu').waitFor();
    page.__allowFailure = null;
    await page.waitForURL(`${base}/`); // back where "Sign in" was pressed

    // Search the catalog and filter by organization.
    await page.locator('#catalog-search').focus();
    await page.keyboard.type('demonstration');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=demonstration/);
    await page.locator('.larch-course-card').first().waitFor();
    await tabTo(page, focusedIs('button.larch-facet-value'), 'an organization filter');
    await page.keyboard.press('Enter');
    await page.waitForURL(/org=/);
    await page.locator('button.larch-facet-value[aria-pressed=true]').waitFor();
    await page.locator('.larch-course-card').first().waitFor();
    await check(page, 'catalog-search');

    // The Demo course's about page, enroll.
    await tabTo(page, focusedIs('.larch-card-title a'), 'a course card');
    const href = await page.evaluate(() => document.activeElement.getAttribute('href'));
    assert.equal(href, `/courses/${demo}/about`);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: /Demo/ }).waitFor();
    await page.getByRole('button', { name: 'Enroll now' }).waitFor();
    await check(page, 'course-about');
    await tabTo(page, focusedText('Enroll now'), 'Enroll now');
    await page.keyboard.press('Enter');
    await page.getByText('You are enrolled in this course.').waitFor();
    await page.getByRole('link', { name: 'View course' }).waitFor();
    await check(page, 'course-about-enrolled');
    const enrollment = await page.evaluate(async (id) => (await fetch(`/api/enrollment/v1/enrollment/${id}`)).json(), demo);
    assert.equal(enrollment.is_active, true);

    // The dashboard lists the course.
    await page.keyboard.press('Home');
    await page.locator('.larch-skip-link').focus();
    await tabTo(page, focusedText('Dashboard'), 'the Dashboard link');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/dashboard$/);
    await page.locator('.larch-dashboard-card', { hasText: 'Demonstration Course' }).waitFor();
    await check(page, 'dashboard');

    await signOut(page);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('the 404 page, the Arabic catalog, a duplicate registration and the network retry panel', { skip, timeout: 180_000 }, async () => {
  const browser = await chromium.launch({ executablePath: browserPath, headless: true, args });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors = watch(page);

    await page.goto(`${base}/courses?lang=ar`);
    await page.getByRole('heading', { name: 'تعلّم شيئًا جديدًا' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ar');
    await page.locator('.larch-course-card').first().waitFor();
    await check(page, 'catalog-arabic');
    // The choice is remembered in the language cookie; switch back with the picker.
    await page.goto(`${base}/login`);
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    await Promise.all([page.waitForEvent('load'), page.locator('.larch-language select').selectOption('en')]);
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'ltr');

    // The superuser's email is taken: 409 (on purpose), shown next to the email field.
    page.__allowFailure = /\/account\/registration\/$/;
    await page.goto(`${base}/register`);
    await page.getByLabel('Email').waitFor();
    await page.getByLabel('Email').fill(process.env.LARCH_E2E_EMAIL ?? 'e2e-admin@example.com');
    await page.getByLabel('Full Name').fill('Someone Else');
    // Live validation: a taken username is reported on leaving the field, with suggestions.
    await page.getByLabel('Public Username').fill(process.env.LARCH_E2E_USERNAME ?? 'e2e-admin');
    await page.keyboard.press('Tab');
    await page.locator('.larch-suggestions button').first().waitFor();
    assert.match(await page.locator('.pgn__form-group:has(#register-username)').textContent(), /existing account/);
    await page.getByLabel('Public Username').fill(`other${Date.now() % 1e8}`);
    await page.getByLabel('Password').fill('Another-pass-7');
    await page.getByLabel(/I agree/).check();
    await page.getByRole('button', { name: 'Create account' }).click();
    const feedback = page.locator('#register-email ~ .pgn__form-control-description, .pgn__form-group:has(#register-email) .pgn__form-text-invalid, .pgn__form-group:has(#register-email) [class*=feedback]').first();
    await feedback.waitFor();
    assert.match(await feedback.textContent(), /exist/i);
    await check(page, 'register-duplicate');
    page.__allowFailure = null;

    // The network fails: a retry panel, then the results once it is back.
    page.__allowNetworkErrors = true;
    await page.route('**/search/course_discovery/', (route) => route.abort('internetdisconnected'));
    await page.goto(`${base}/courses`);
    await page.getByRole('button', { name: 'Try again' }).waitFor();
    await check(page, 'network-failure');
    await page.unroute('**/search/course_discovery/');
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('.larch-course-card').first().waitFor();
    page.__allowNetworkErrors = false;

    page.__allowFailure = /\/no\/such\/page$/; // the app's 404 page comes with status 404
    await page.goto(`${base}/no/such/page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await check(page, 'not-found');
    const missing = await page.request.get(`${base}/no/such/page`, { headers: { Accept: 'text/html' } });
    assert.equal(missing.status(), 404);

    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
