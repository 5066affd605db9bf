// The instructor dashboard in a real browser (Debian's chromium, headless):
// the e2e superuser (global staff) opens the Demo course's
// /courses/{id}/instructor page, asks for the grade report, waits for it in
// the report list and downloads it (upstream's header), and looks a learner
// up. The page is screenshotted into LARCH_E2E_SCREENSHOT_DIR and checked
// with axe-core (no serious or critical violation) and for console errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';

const base = process.env.LARCH_E2E_URL;
const shots = process.env.LARCH_E2E_SCREENSHOT_DIR ?? '.';
const browserPath = '/usr/bin/chromium';
const demo = 'course-v1:edX+DemoX+Demo_Course';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function servesWebApp() {
  const r = await fetch(`${base}/`, { headers: { Accept: 'text/html' } });
  return r.ok && (r.headers.get('content-type') ?? '').includes('text/html');
}

const skip = !base ? 'LARCH_E2E_URL is not set'
  : !process.env.LARCH_E2E_DEMO ? 'the Demo course is not imported (LARCH_SHARED_OLX)'
  : !existsSync(browserPath) ? `${browserPath} is missing (scripts/install_deps.sh test)`
  : !(await servesWebApp()) ? 'larch serve does not serve web/dist (scripts/build_web.sh)' : false;

// The anonymous JWT refresh on the sign-in page fails on purpose (401).
const EXPECTED_FAILURES = [/\/login_refresh$/];

test('the course team asks for the grade report and downloads it', { skip, timeout: 180_000 }, async () => {
  const browser = await chromium.launch({ executablePath: browserPath, headless: true, args });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const url = msg.location()?.url ?? '';
      if (/Failed to load resource/.test(msg.text()) && EXPECTED_FAILURES.some((re) => re.test(url))) return;
      errors.push(`console: ${msg.text()} (${url})`);
    });

    await page.goto(`${base}/login`);
    await page.getByLabel(/Username or email/i).fill(process.env.LARCH_E2E_USERNAME);
    await page.getByLabel(/Password/i).fill(process.env.LARCH_E2E_PASSWORD);
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith('/login')),
      page.getByRole('button', { name: /Sign in/i }).click(),
    ]);

    await page.goto(`${base}/courses/${demo}/instructor`);
    await page.getByRole('heading', { name: 'Instructor dashboard' }).waitFor();
    await page.getByRole('button', { name: 'Generate grade report' }).click();
    await page.getByText('The grade report is being created.').waitFor();
    const link = page.locator('a[download]', { hasText: 'edX_DemoX_Demo_Course_grade_report_' });
    for (let i = 0; i < 30 && (await link.count()) === 0; i += 1) {
      await page.waitForTimeout(1000);
      await page.getByRole('button', { name: 'Refresh' }).click();
    }
    await link.first().waitFor();
    const csv = await page.request.get(new URL(await link.first().getAttribute('href'), base).href);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-disposition'] ?? '', /^attachment; filename="edX_DemoX_Demo_Course_grade_report_/);
    const header = (await csv.text()).split('\r\n')[0];
    assert.match(header, /^Student ID,Email,Username,Grade,/);
    assert.match(header, /,Enrollment Track,Verification Status,Certificate Eligible,Certificate Delivered,Certificate Type,Enrollment Status$/);

    await page.getByLabel('Username or email').fill(process.env.LARCH_E2E_USERNAME);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('link', { name: `View the progress of ${process.env.LARCH_E2E_USERNAME}` }).waitFor();

    mkdirSync(shots, { recursive: true });
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: path.join(shots, 'instructor-dashboard.png'), fullPage: true });
    await page.addScriptTag({ content: axeSource });
    const violations = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help }));
    });
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad, [], `instructor: axe violations ${JSON.stringify(bad)}`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
