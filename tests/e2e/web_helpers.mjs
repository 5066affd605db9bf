// Shared by the browser tests: chromium's flags, the console watcher, the
// screenshot + axe-core check and keyboard helpers.
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const base = process.env.LARCH_E2E_URL;
export const shots = process.env.LARCH_E2E_SCREENSHOT_DIR ?? '.';
export const browserPath = '/usr/bin/chromium';
export const demo = 'course-v1:edX+DemoX+Demo_Course';
export const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export async function servesWebApp() {
  const r = await fetch(`${base}/`, { headers: { Accept: 'text/html' } });
  return r.ok && (r.headers.get('content-type') ?? '').includes('text/html');
}

// Requests that fail on purpose and so log "Failed to load resource" in the
// console: the anonymous JWT refresh (401, as frontend-platform does) and
// the Demo course's own images, which its export does not contain
// (/static/images/...), and its videos on Amazon S3 and YouTube (no Internet in CI).
const EXPECTED_FAILURES = [/\/login_refresh$/, /\/static\/images\//, /^https:\/\/s3\.amazonaws\.com\//, /^https:\/\/(www\.)?youtube\.com\//];

/** Waits until the page (its frames included) has had no request in flight for 500 ms. */
export async function settle(page, limit = 20_000) {
  const started = Date.now();
  while (Date.now() - started < limit) {
    if (page.__inflight.size === 0 && Date.now() - page.__lastRequest >= 500) return;
    await page.waitForTimeout(100);
  }
  assert.fail(`requests still in flight: ${[...page.__inflight].map((r) => r.url()).join(', ')}`);
}

/** Collects the page's errors; `expected` adds URL patterns whose failed loads are expected. */
export function watch(page, expected = []) {
  const errors = [];
  const failures = [...EXPECTED_FAILURES, ...expected];
  // Playwright's networkidle belongs to a document load; the app navigates without one.
  page.__inflight = new Set();
  page.__lastRequest = Date.now();
  page.on('request', (r) => { page.__inflight.add(r); page.__lastRequest = Date.now(); });
  const done = (r) => { page.__inflight.delete(r); page.__lastRequest = Date.now(); };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const url = msg.location()?.url ?? '';
    if (/Failed to load resource/.test(msg.text()) && failures.some((re) => re.test(url))) return;
    if (page.__allowNetworkErrors && /Failed to load resource|net::ERR_/.test(msg.text())) return;
    if (page.__allowFailure?.test(url) && /Failed to load resource/.test(msg.text())) return;
    errors.push(`console: ${msg.text()} (${url})`);
  });
  return errors;
}

/**
 * Screenshots the page as `{prefix}-NN-{name}.png` and runs axe-core on it (and,
 * unless `frames` is false, on its same-origin frames): no serious or critical
 * violation.
 */
export function checker(prefix) {
  let count = 0;
  return async function check(page, name, { frames = true } = {}) {
    mkdirSync(shots, { recursive: true });
    await page.waitForLoadState('load');
    if (page.__inflight) await settle(page);
    else await page.waitForLoadState('networkidle');
    await page.waitForFunction(() => !document.querySelector('.larch-loading'));
    count += 1;
    await page.screenshot({ path: path.join(shots, `${prefix}-${String(count).padStart(2, '0')}-${name}.png`), fullPage: true });
    for (const frame of frames ? page.frames() : [page.mainFrame()]) {
      if (!(await frame.evaluate(() => Boolean(window.axe)).catch(() => true))) await frame.addScriptTag({ content: axeSource });
    }
    const result = await page.evaluate(async (iframes) => {
      const r = await window.axe.run(document, { resultTypes: ['violations'], iframes });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
    }, frames);
    const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad, [], `${name}: axe violations ${JSON.stringify(bad, null, 1)}`);
  };
}

/** Presses Tab until the focused element matches; proves it is reachable by keyboard. */
export async function tabTo(page, matches, what, limit = 80) {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    const hit = await page.evaluate(matches);
    if (hit) return;
  }
  assert.fail(`could not reach ${what} with Tab`);
}

export const focusedText = (text) => new Function(`const el = document.activeElement; return !!el && (el.textContent || '').trim() === ${JSON.stringify(text)};`);
export const focusedIs = (selector) => new Function(`const el = document.activeElement; return !!el && el.matches(${JSON.stringify(selector)});`);
