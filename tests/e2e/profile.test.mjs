// Profile, account settings and the about page's modes in a real browser
// (Debian's chromium, headless): a learner saves account settings (and sees
// the server's validation error next to the field), edits the profile bio,
// country and visibility; another learner sees the full profile, then only
// the public fields once it is limited; the about page of a course with an
// audit and a verified mode shows the prices, the public outline and the mode
// choice, and enrolls in audit. Then the retry panel of the profile page when
// the network fails. Every page is screenshotted (profile-NN-*.png) and
// checked with axe-core; console errors fail the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { args, base, browserPath, checker, focusedText, servesWebApp, tabTo, watch } from './web_helpers.mjs';

const modesCourse = 'course-v1:edX+ModesX+Demo_Course';
const password = 'Larch-profile-9';

const skip = !base ? 'LARCH_E2E_URL is not set'
  : !process.env.LARCH_E2E_DEMO ? 'the Demo course is not imported (LARCH_SHARED_OLX)'
  : !existsSync(browserPath) ? `${browserPath} is missing (scripts/install_deps.sh test)`
  : !(await servesWebApp()) ? 'larch serve does not serve web/dist (scripts/build_web.sh)' : false;

const check = checker('profile');
const focusedLabel = (label) => new Function(`const el = document.activeElement; return !!el && el.getAttribute('aria-label') === ${JSON.stringify(label)};`);

/** Opens field `label` with its Edit button (keyboard), types `text` into its input and saves with Enter. */
async function editText(page, label, text) {
  await page.locator('.larch-skip-link').focus();
  await tabTo(page, focusedLabel(`Edit ${label}`), `Edit ${label}`);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

/** Opens select field `label` with the keyboard, picks `option` by typing, then Tab to Save and Enter. */
async function editSelect(page, label, option) {
  await page.locator('.larch-skip-link').focus();
  await tabTo(page, focusedLabel(`Edit ${label}`), `Edit ${label}`);
  await page.keyboard.press('Enter');
  const select = page.locator('.larch-field-editing select');
  await select.waitFor();
  await select.selectOption({ label: option }); // the keyboard cannot type long option labels reliably
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'SELECT');
  await tabTo(page, focusedText('Save'), 'Save', 3);
  await page.keyboard.press('Enter');
}

/** Registers `username` through the registration API in this browser context (signs it in). */
async function register(page, username) {
  await page.goto(`${base}/login`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  const status = await page.evaluate(async ({ username, password }) => {
    const token = (await (await fetch('/csrf/api/v1/token')).json()).csrfToken;
    const body = new URLSearchParams({ email: `${username}@example.com`, name: username, username, password, honor_code: 'true' });
    const r = await fetch('/api/user/v2/account/registration/', {
      method: 'POST', body, headers: { 'X-CSRFToken': token, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    return r.status;
  }, { username, password });
  assert.equal(status, 200, `registration of ${username}`);
}

async function openUserMenuItem(page, item) {
  await page.locator('#user-menu').focus();
  await page.keyboard.press('Enter');
  await page.locator('.dropdown-menu.show').waitFor();
  await tabTo(page, focusedText(item), item, 10);
  await page.keyboard.press('Enter');
}

async function toast(page, text) {
  await page.locator('.toast', { hasText: text }).first().waitFor();
}

test('account settings and the profile: save, server errors, visibility for another learner', { skip, timeout: 240_000 }, async () => {
  const browser = await chromium.launch({ executablePath: browserPath, headless: true, args });
  try {
    const suffix = `${Date.now() % 1e8}`;
    const owner = `lena${suffix}`;
    const other = `sam${suffix}`;
    const a = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' })).newPage();
    const errorsA = watch(a);
    await register(a, owner);

    // Account settings from the user menu.
    await a.goto(`${base}/dashboard`);
    await a.locator('#user-menu').waitFor();
    await openUserMenuItem(a, 'Account');
    await a.waitForURL(/\/account\/settings$/);
    await a.getByRole('heading', { level: 1, name: 'Account settings' }).waitFor();
    await check(a, 'account-settings');

    // A field saved (toast), then the server's validation error next to the field.
    await editText(a, 'Full name', 'Lena Larch');
    await a.keyboard.press('Enter');
    await toast(a, 'Your changes are saved.');
    await a.locator('[data-field=name] .larch-field-value', { hasText: 'Lena Larch' }).waitFor();
    a.__allowFailure = /\/api\/user\/v1\/accounts\//; // the refused PATCH (400) on purpose
    await editText(a, 'Full name', 'Lena <b>Larch</b>');
    await a.keyboard.press('Enter');
    const feedback = a.locator('[data-field=name] .pgn__form-control-description, [data-field=name] [class*=feedback]').first();
    await feedback.waitFor();
    assert.match(await feedback.textContent(), /cannot contain the following characters: < >/);
    await check(a, 'account-settings-error');
    await a.keyboard.press('Escape');
    await a.locator('[data-field=name] .larch-field-value', { hasText: 'Lena Larch' }).waitFor();
    a.__allowFailure = null;

    // A year of birth lifts the parental-consent limit; a full profile.
    await editSelect(a, 'Year of birth', '1990');
    await a.locator('[data-field=year_of_birth] .larch-field-value', { hasText: '1990' }).waitFor();
    await editSelect(a, 'Education completed', 'Bachelor’s degree');
    await a.locator('[data-field=level_of_education] .larch-field-value', { hasText: 'Bachelor' }).waitFor();
    // A social link: a username is stored as the site's https URL.
    await editText(a, 'Twitter', 'lenalarch');
    await a.keyboard.press('Enter');
    await a.locator('[data-field=social-twitter] .larch-field-value', { hasText: 'https://www.twitter.com/lenalarch' }).waitFor();
    const account = await a.evaluate(async (u) => (await fetch(`/api/user/v1/accounts/${u}`)).json(), owner);
    assert.equal(account.name, 'Lena Larch');
    assert.equal(account.year_of_birth, 1990);
    assert.equal(account.level_of_education, 'b');
    assert.equal(account.account_privacy, 'all_users');

    // The profile: bio and country.
    await openUserMenuItem(a, 'Profile');
    await a.waitForURL(new RegExp(`/u/${owner}$`));
    await a.getByRole('heading', { level: 1, name: owner }).waitFor();
    await a.getByRole('heading', { name: 'Accomplishments' }).waitFor();
    await editText(a, 'About me', 'I grow larches and learn Homeric poetry.');
    await tabTo(a, focusedText('Save'), 'Save', 3);
    await a.keyboard.press('Enter');
    await a.locator('.larch-bio', { hasText: 'I grow larches' }).waitFor();
    await editSelect(a, 'Location', 'France');
    await a.locator('[data-field=country] .larch-field-value', { hasText: 'France' }).waitFor();
    await a.getByRole('link', { name: 'Twitter' }).waitFor();
    await a.locator('.toast button').first().click(); // a clean screenshot
    await check(a, 'profile-own');
    // Right to left in Arabic.
    await a.goto(`${base}/u/${owner}?lang=ar`);
    await a.getByRole('heading', { name: 'الإنجازات' }).waitFor();
    assert.equal(await a.evaluate(() => document.documentElement.dir), 'rtl');
    await check(a, 'profile-own-arabic');
    await a.goto(`${base}/u/${owner}?lang=en`);
    await a.getByRole('heading', { name: 'Accomplishments' }).waitFor();

    // Another learner sees the full profile...
    const b = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' })).newPage();
    const errorsB = watch(b);
    await register(b, other);
    await b.goto(`${base}/u/${owner}`);
    await b.locator('.larch-bio', { hasText: 'I grow larches' }).waitFor();
    await b.getByText('France').waitFor();
    assert.equal(await b.getByRole('button', { name: /^Edit/ }).count(), 0);
    await check(b, 'profile-other-full');

    // ...and only the public fields once the owner limits it.
    await editSelect(a, 'Profile visibility', 'Limited profile: only your username and picture');
    await toast(a, 'Your profile is saved.');
    await b.reload();
    await b.getByText(`${owner} has a limited profile.`).waitFor();
    assert.equal(await b.locator('.larch-bio').count(), 0);
    assert.equal(await b.getByText('France').count(), 0);
    const seen = await b.evaluate(async (u) => (await fetch(`/api/user/v1/accounts/${u}`)).json(), owner);
    assert.deepEqual(Object.keys(seen).sort(), ['account_privacy', 'profile_image', 'username']);
    await check(b, 'profile-other-limited');

    // An unknown learner.
    b.__allowFailure = /\/api\/user\/v1\/accounts\/nobody/;
    await b.goto(`${base}/u/nobody${suffix}`);
    await b.getByRole('heading', { name: `There is no learner called nobody${suffix}.` }).waitFor();
    b.__allowFailure = null;

    // The network fails: a retry panel, then the profile once it is back.
    b.__allowNetworkErrors = true;
    await b.route('**/api/user/v1/accounts/**', (route) => route.abort('internetdisconnected'));
    await b.goto(`${base}/u/${owner}`);
    await b.getByRole('button', { name: 'Try again' }).waitFor();
    await check(b, 'profile-network-failure');
    await b.unroute('**/api/user/v1/accounts/**');
    await b.getByRole('button', { name: 'Try again' }).click();
    await b.getByRole('heading', { level: 1, name: owner }).waitFor();
    b.__allowNetworkErrors = false;

    assert.deepEqual(errorsA, []);
    assert.deepEqual(errorsB, []);
  } finally {
    await browser.close();
  }
});

test('the about page of a course with audit and verified modes and a public outline', { skip, timeout: 180_000 }, async () => {
  const browser = await chromium.launch({ executablePath: browserPath, headless: true, args });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' })).newPage();
    const errors = watch(page);
    const about = `${base}/courses/${modesCourse}/about`;

    // Anonymous: prices per mode and the outline (course_visibility public_outline).
    await page.goto(about);
    await page.getByRole('heading', { level: 1, name: /verified track/ }).waitFor();
    await page.getByRole('heading', { name: 'Course outline' }).waitFor();
    await page.locator('.larch-facts', { hasText: 'Verified Certificate: $49.00' }).waitFor();
    await page.locator('.larch-facts', { hasText: 'Audit: Free' }).waitFor();
    assert.ok((await page.locator('.larch-outline-section').count()) > 1, 'the outline lists sections');
    await page.getByRole('link', { name: 'Sign in to enroll' }).waitFor();
    await check(page, 'about-modes-anonymous');

    // Signed in: the mode choice; verified cannot be chosen (no payment yet); enroll in audit.
    await register(page, `ana${Date.now() % 1e8}`);
    await page.goto(about);
    await page.getByText('Choose how you want to take this course').waitFor();
    const verified = page.getByRole('radio', { name: /Verified Certificate — \$49\.00/ });
    assert.equal(await verified.isDisabled(), true);
    assert.equal(await page.getByRole('radio', { name: /Audit — Free/ }).isChecked(), true);
    await page.getByText('Payment is not available on this site yet.').first().waitFor();
    await check(page, 'about-modes-choice');
    await page.locator('.larch-skip-link').focus();
    await tabTo(page, focusedText('Enroll now'), 'Enroll now');
    await page.keyboard.press('Enter');
    await page.getByText('You are enrolled in this course.').waitFor();
    const enrollment = await page.evaluate(async (id) => (await fetch(`/api/enrollment/v1/enrollment/${id}`)).json(), modesCourse);
    assert.equal(enrollment.mode, 'audit');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
