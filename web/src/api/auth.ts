// Who is signed in, as frontend-platform's AxiosJwtAuthService works it out:
// decode the JWT header+payload cookie (not httponly), refresh it with
// POST /login_refresh when it is missing or expired, anonymous on 401.
import { ApiError, request } from './http';

export const JWT_COOKIE = 'edx-jwt-cookie-header-payload';

export interface AuthenticatedUser {
  userId: number;
  username: string;
  email?: string;
  name?: string;
  administrator: boolean;
  roles: string[];
}

export interface JwtPayload {
  preferred_username?: string;
  user_id?: number;
  email?: string;
  name?: string;
  administrator?: boolean;
  roles?: string[];
  exp?: number;
}

export function readCookie(name: string, cookies: string = document.cookie): string | null {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

function base64UrlDecode(segment: string): string {
  const b64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The payload of a `header.payload[.signature]` token, or null when it is not one. */
export function decodeJwtPayload(token: string | null): JwtPayload | null {
  if (!token) return null;
  const parts = token.split('.');
  if (parts.length < 2) return null;
  try {
    const payload = JSON.parse(base64UrlDecode(parts[1]));
    return payload && typeof payload === 'object' ? (payload as JwtPayload) : null;
  } catch {
    return null;
  }
}

export function isExpired(payload: JwtPayload | null, nowSeconds: number): boolean {
  return !payload || typeof payload.exp !== 'number' || payload.exp < nowSeconds;
}

export function userFromPayload(payload: JwtPayload): AuthenticatedUser | null {
  if (!payload.preferred_username || typeof payload.user_id !== 'number') return null;
  return {
    userId: payload.user_id,
    username: payload.preferred_username,
    email: payload.email,
    name: payload.name,
    administrator: Boolean(payload.administrator),
    roles: Array.isArray(payload.roles) ? payload.roles : [],
  };
}

/** The signed-in user, refreshing the JWT cookie when needed; null when anonymous. */
export async function fetchAuthenticatedUser(): Promise<AuthenticatedUser | null> {
  const now = Date.now() / 1000;
  let payload = decodeJwtPayload(readCookie(JWT_COOKIE));
  if (isExpired(payload, now)) {
    try {
      await request('/login_refresh', { method: 'POST' });
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return null;
      throw e;
    }
    payload = decodeJwtPayload(readCookie(JWT_COOKIE));
  }
  if (payload && !isExpired(payload, now)) {
    const user = userFromPayload(payload);
    if (user) return user;
  }
  // No usable cookie (for example a session without the JWT cookies): ask.
  try {
    const me = (await request('/api/user/v1/me')) as { username?: string };
    return me?.username ? { userId: 0, username: me.username, administrator: false, roles: [] } : null;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return null;
    throw e;
  }
}
