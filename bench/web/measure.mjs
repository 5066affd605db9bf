// The browser half of bench/scenarios/web.sh: signs a learner in with Debian's
// chromium (headless, through playwright-core from tests/e2e/node_modules)
// and loads each page several times, reading the Performance API: the
// navigation timing and the `larch:interactive` mark the pages set once
// their data has rendered. Prints one JSON object per line:
//   {"page", "url", "loads", "first_ms", "interactive_ms": [...], "dcl_ms": [...], "load_ms": [...]}
//   {"page", "skipped": "<why>"}
//   {"initial_js_gz": bytes}
//
// Usage: node bench/web/measure.mjs BASE USERNAME PASSWORD COURSE_ID [LOADS]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const [base, username, password, courseId, loadsArg] = process.argv.slice(2);
const loads = Number(loadsArg ?? 7);
const here = new URL('.', import.meta.url).pathname;
const requireE2e = createRequire(join(here, '../../tests/e2e/package.json'));
const { chromium } = requireE2e('playwright-core');
const MARK = 'larch:interactive';
const MARK_TIMEOUT_MS = Number(process.env.BENCH_WEB_MARK_TIMEOUT_MS ?? 10000);

function initialJsGz(dist) {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  return files.reduce((n, f) => n + gzipSync(readFileSync(join(dist, f)), { level: 9 }).length, 0);
}

async function signIn(page) {
  await page.goto(`${base}/login`);
  const status = await page.evaluate(async ({ username, password }) => {
    const token = (await (await fetch('/csrf/api/v1/token')).json()).csrfToken;
    const r = await fetch('/api/user/v2/account/login_session/', {
      method: 'POST',
      headers: { 'X-CSRFToken': token, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email_or_username: username, password }),
    });
    return r.status;
  }, { username, password });
  if (status !== 200) throw new Error(`sign-in answered ${status}`);
}

/** One load of `url`: navigation timing and the mark, or null when the mark never comes. */
async function measure(page, url) {
  await page.goto(url, { waitUntil: 'load' });
  try {
    await page.waitForFunction((m) => performance.getEntriesByName(m, 'mark').length > 0, MARK, { timeout: MARK_TIMEOUT_MS });
  } catch {
    return null;
  }
  return page.evaluate((m) => {
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      interactive: performance.getEntriesByName(m, 'mark')[0].startTime,
      dcl: nav.domContentLoadedEventEnd,
      load: nav.loadEventEnd,
    };
  }, MARK);
}

const pages = [
  { page: 'dashboard', url: `${base}/dashboard` },
  { page: 'course-home', url: `${base}/learning/course/${courseId}/home` },
];

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  await signIn(page);
  for (const p of pages) {
    // One warm-up load (the browser cache holds the hashed assets afterwards,
    // as it does for a returning learner), then the measured ones.
    const warm = await measure(page, p.url);
    if (!warm) {
      console.log(JSON.stringify({ page: p.page, skipped: `no ${MARK} mark within ${MARK_TIMEOUT_MS} ms on ${p.url}` }));
      continue;
    }
    const runs = [];
    for (let i = 0; i < loads; i += 1) runs.push(await measure(page, p.url));
    const ok = runs.filter(Boolean);
    console.log(JSON.stringify({
      page: p.page,
      url: p.url,
      loads: ok.length,
      first_ms: warm.interactive,
      interactive_ms: ok.map((r) => r.interactive),
      dcl_ms: ok.map((r) => r.dcl),
      load_ms: ok.map((r) => r.load),
    }));
  }
  console.log(JSON.stringify({ initial_js_gz: initialJsGz(process.env.BENCH_WEB_DIST ?? join(here, '../../web/dist')) }));
} finally {
  await browser.close();
}
