import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeJwtPayload, fetchAuthenticatedUser, isExpired, readCookie, userFromPayload } from './auth';

function b64url(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  bytes.forEach((b) => (bin += String.fromCharCode(b)));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function cookieToken(payload: object): string {
  return `${b64url('{"alg":"RS512","typ":"JWT"}')}.${b64url(JSON.stringify(payload))}`;
}

afterEach(() => {
  vi.unstubAllGlobals();
  document.cookie.split(';').forEach((c) => {
    document.cookie = `${c.split('=')[0].trim()}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  });
});

describe('JWT cookie', () => {
  it('decodes the header.payload cookie, base64url and UTF-8 included', () => {
    const p = decodeJwtPayload(cookieToken({ preferred_username: 'ليلى', user_id: 7, exp: 100, administrator: true }));
    expect(p).toEqual({ preferred_username: 'ليلى', user_id: 7, exp: 100, administrator: true });
    expect(userFromPayload(p!)).toEqual({
      userId: 7, username: 'ليلى', email: undefined, name: undefined, administrator: true, roles: [],
    });
  });

  it('rejects what is not a token', () => {
    expect(decodeJwtPayload(null)).toBeNull();
    expect(decodeJwtPayload('nodots')).toBeNull();
    expect(decodeJwtPayload('a.%%%')).toBeNull();
    expect(decodeJwtPayload(`a.${b64url('[1')}`)).toBeNull();
  });

  it('treats a missing or past exp as expired', () => {
    expect(isExpired(null, 10)).toBe(true);
    expect(isExpired({}, 10)).toBe(true);
    expect(isExpired({ exp: 9 }, 10)).toBe(true);
    expect(isExpired({ exp: 11 }, 10)).toBe(false);
  });

  it('reads one cookie among several', () => {
    expect(readCookie('b', 'a=1; b=x%3Dy; c=3')).toBe('x=y');
    expect(readCookie('d', 'a=1')).toBeNull();
  });
});

describe('fetchAuthenticatedUser', () => {
  it('uses a fresh cookie without calling the server', async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    document.cookie = `edx-jwt-cookie-header-payload=${cookieToken({ preferred_username: 'ana', user_id: 3, exp: Date.now() / 1000 + 600 })}; path=/`;
    await expect(fetchAuthenticatedUser()).resolves.toMatchObject({ username: 'ana', userId: 3 });
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('refreshes an expired cookie with POST /login_refresh', async () => {
    document.cookie = `edx-jwt-cookie-header-payload=${cookieToken({ preferred_username: 'ana', user_id: 3, exp: 1 })}; path=/`;
    const fetchMock = vi.fn(async (url: string) => {
      if (url === '/csrf/api/v1/token') return new Response('{"csrfToken":"t"}', { headers: { 'content-type': 'application/json' } });
      if (url === '/login_refresh') {
        document.cookie = `edx-jwt-cookie-header-payload=${cookieToken({ preferred_username: 'ana', user_id: 3, exp: Date.now() / 1000 + 600 })}; path=/`;
        return new Response('{"success":true}', { headers: { 'content-type': 'application/json' } });
      }
      throw new Error(`unexpected ${url}`);
    });
    vi.stubGlobal('fetch', fetchMock);
    await expect(fetchAuthenticatedUser()).resolves.toMatchObject({ username: 'ana' });
    expect(fetchMock.mock.calls.map((c) => c[0])).toContain('/login_refresh');
  });

  it('is anonymous when the refresh answers 401', async () => {
    vi.stubGlobal('fetch', vi.fn(async (url: string) =>
      url === '/login_refresh'
        ? new Response('"Unauthorized"', { status: 401, headers: { 'content-type': 'application/json' } })
        : new Response('{"csrfToken":"t"}', { headers: { 'content-type': 'application/json' } })));
    await expect(fetchAuthenticatedUser()).resolves.toBeNull();
  });
});
