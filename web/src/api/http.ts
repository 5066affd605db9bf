// One fetch wrapper for every call the app makes to Larch's Open edX APIs:
// same-origin cookies, the JWT cookie header frontend-platform sends, and a
// CSRF token from /csrf/api/v1/token on every write.

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
    this.name = 'ApiError';
  }
}

/** The server could not be reached (offline, connection refused, aborted). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : 'Network request failed');
    this.name = 'NetworkError';
  }
}

type Body = Record<string, unknown> | undefined;

export interface RequestOptions {
  method?: string;
  /** Sent as application/x-www-form-urlencoded (what the user_authn views read). */
  form?: Record<string, string | boolean | undefined>;
  /** Sent as application/json (or `contentType`, e.g. application/merge-patch+json). */
  json?: Body | unknown[];
  contentType?: string;
  signal?: AbortSignal;
}

let csrfToken: string | null = null;

export function resetCsrfToken(): void {
  csrfToken = null;
}

async function fetchCsrfToken(): Promise<string> {
  if (csrfToken) return csrfToken;
  const body = (await request('/csrf/api/v1/token')) as { csrfToken?: string };
  csrfToken = body?.csrfToken ?? '';
  return csrfToken;
}

export function encodeForm(form: Record<string, string | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    if (value === undefined) continue;
    params.append(key, typeof value === 'boolean' ? String(value) : value);
  }
  return params.toString();
}

async function parse(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

export async function request(path: string, options: RequestOptions = {}): Promise<unknown> {
  const method = options.method ?? (options.form || options.json ? 'POST' : 'GET');
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'USE-JWT-COOKIE': 'true',
  };
  let body: string | undefined;
  if (options.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = encodeForm(options.form);
  } else if (options.json !== undefined) {
    headers['Content-Type'] = options.contentType ?? 'application/json';
    body = JSON.stringify(options.json);
  }
  const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(method);
  if (unsafe) headers['X-CSRFToken'] = await fetchCsrfToken();
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new NetworkError(e);
  }
  const data = await parse(response);
  if (!response.ok) {
    // A rejected token (rotated at login) is fetched again on the next write.
    if (response.status === 403 && unsafe) resetCsrfToken();
    throw new ApiError(response.status, data);
  }
  return data;
}

/** The message an Open edX error body carries, whichever of its shapes it has. */
export function errorMessage(body: unknown): string | null {
  if (typeof body === 'string') return body.length < 300 ? body : null;
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  for (const key of ['value', 'user_message', 'message', 'detail', 'error', 'err_msg', 'developer_message']) {
    const v = b[key];
    if (typeof v === 'string' && v) return v;
  }
  return null;
}
