import { describe, expect, it } from 'vitest';
import { defaultMode, enrollState, modesOf, sanitizeHtml } from './about';

const now = new Date('2026-06-01T00:00:00Z');

describe('enroll state', () => {
  it('enrolled wins over every other state', () => {
    expect(enrollState({ invite_only: true, enrollment_end: '2020-01-01T00:00:00Z' }, true, now).kind).toBe('enrolled');
  });
  it('invitation only, not open yet, closed', () => {
    expect(enrollState({ invite_only: true }, false, now).kind).toBe('invitation-only');
    expect(enrollState({ enrollment_start: '2027-01-01T00:00:00Z' }, false, now)).toEqual({
      kind: 'not-open-yet', opens: new Date('2027-01-01T00:00:00Z'),
    });
    expect(enrollState({ enrollment_end: '2026-05-31T00:00:00Z' }, false, now).kind).toBe('closed');
  });
  it('open lists the modes with prices; default audit when none', () => {
    const s = enrollState({ course_modes: [
      { slug: 'verified', name: 'Verified', min_price: 49, currency: 'usd' },
      { slug: 'audit', name: 'Audit', min_price: 0, currency: 'usd' },
    ] }, false, now);
    expect(s.kind).toBe('open');
    if (s.kind !== 'open') return;
    expect(s.modes[0]).toMatchObject({ slug: 'verified', minPrice: 49, currency: 'USD' });
    expect(defaultMode(s.modes)).toBe('audit');
    expect(modesOf(null)).toEqual([{ slug: 'audit', name: 'Audit', minPrice: 0, currency: 'USD', description: null }]);
    expect(defaultMode(modesOf({ course_modes: [{ slug: 'verified', name: 'V', min_price: 5, currency: 'usd' }] }))).toBeNull();
  });
});

describe('overview HTML', () => {
  it('drops scripts, handlers and javascript: links, keeps content', () => {
    const out = sanitizeHtml('<h2>About</h2><p onclick="x()">Hi <a href="javascript:alert(1)">x</a></p><script>bad()</script><img src="/a.png"><img src="/b.png" alt="B">');
    expect(out).toBe('<h2>About</h2><p>Hi <a>x</a></p><img src="/a.png" alt=""><img src="/b.png" alt="B">');
  });
});
