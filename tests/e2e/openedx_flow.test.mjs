// The Open edX sign-in flows an MFE or a script performs, end to end against
// a running `larch serve` (LARCH_E2E_URL). run.sh prepares the server, the
// user and the OAuth client; the JWT is verified with jose against the
// published JWKS exactly as an Open edX service would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';

const base = process.env.LARCH_E2E_URL;
const username = process.env.LARCH_E2E_USERNAME ?? 'e2e-admin';
const email = process.env.LARCH_E2E_EMAIL ?? 'e2e-admin@example.com';
const password = process.env.LARCH_E2E_PASSWORD ?? 'E2e-Secret-Pass-1';
const clientId = process.env.LARCH_E2E_CLIENT_ID ?? 'e2e-client';
const clientSecret = process.env.LARCH_E2E_CLIENT_SECRET ?? 'e2e-client-secret';
const issuer = process.env.LARCH_E2E_JWT_ISSUER;
const audience = process.env.LARCH_E2E_JWT_AUDIENCE;

assert.ok(base, 'LARCH_E2E_URL must name the running server');

// A minimal cookie jar: name -> value from Set-Cookie, deleted on Max-Age=0.
class Jar {
  constructor() { this.cookies = new Map(); }
  absorb(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (attrs.some((a) => a.trim().toLowerCase() === 'max-age=0')) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  get(name) { return this.cookies.get(name); }
}

async function call(jar, path, { method = 'GET', headers = {}, form } = {}) {
  const init = { method, headers: { ...headers }, redirect: 'manual' };
  if (jar && jar.cookies.size > 0) init.headers.Cookie = jar.header();
  if (form) {
    init.body = new URLSearchParams(form).toString();
    init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  const response = await fetch(base + path, init);
  if (jar) jar.absorb(response);
  const text = await response.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: response.status, headers: response.headers, text, json };
}

test('browser login: CSRF cookie, session, logged-in cookies, /me', async () => {
  const jar = new Jar();
  const form = await call(jar, '/api/user/v1/account/login_session/');
  assert.equal(form.status, 200);
  const csrf = jar.get('csrftoken');
  assert.ok(csrf, 'the login form must set the csrftoken cookie');

  const noCsrf = await call(new Jar(), '/api/user/v1/account/login_session/', {
    method: 'POST', form: { email, password },
  });
  assert.equal(noCsrf.status, 403, 'login without the CSRF token is refused');

  const login = await call(jar, '/api/user/v1/account/login_session/', {
    method: 'POST', headers: { 'X-CSRFToken': csrf }, form: { email, password },
  });
  assert.equal(login.status, 200, login.text);
  assert.equal(login.json.success, true);
  assert.equal(jar.get('edxloggedin'), 'true');
  assert.ok(jar.get('sessionid'));
  assert.ok(jar.get('edx-jwt-cookie-header-payload'));
  assert.ok(jar.get('edx-jwt-cookie-signature'));

  const me = await call(jar, '/api/user/v1/me');
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.username, username);

  const account = await call(jar, `/api/user/v1/accounts/${username}`);
  assert.equal(account.status, 200, account.text);
  assert.equal(account.json.email, email);

  // The MFE way: the two JWT cookies joined, announced by USE-JWT-COOKIE.
  const jwtJar = new Jar();
  jwtJar.cookies.set('edx-jwt-cookie-header-payload', jar.get('edx-jwt-cookie-header-payload'));
  jwtJar.cookies.set('edx-jwt-cookie-signature', jar.get('edx-jwt-cookie-signature'));
  const viaCookie = await call(jwtJar, '/api/user/v1/me', { headers: { 'USE-JWT-COOKIE': 'true' } });
  assert.equal(viaCookie.json?.username, username, viaCookie.text);

  const logout = await call(jar, '/logout');
  assert.ok(logout.status === 200 || logout.status === 302);
  const after = await call(jar, '/api/user/v1/me');
  assert.equal(after.status, 401);
});

test('password grant with token_type=jwt: API call and JWKS verification', async () => {
  const token = await call(null, '/oauth2/access_token', {
    method: 'POST',
    form: {
      grant_type: 'password', client_id: clientId, client_secret: clientSecret,
      username, password, token_type: 'jwt', asymmetric_jwt: 'true',
    },
  });
  assert.equal(token.status, 200, token.text);
  assert.equal(token.json.token_type, 'JWT');
  assert.equal(typeof token.json.expires_in, 'number');
  const jwt = token.json.access_token;

  const me = await call(null, '/api/user/v1/me', { headers: { Authorization: `JWT ${jwt}` } });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.username, username);

  const jwksResponse = await call(null, '/auth/jwks.json');
  assert.equal(jwksResponse.status, 200);
  for (const key of jwksResponse.json.keys) {
    for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
      assert.equal(key[privatePart], undefined, `JWKS must not publish ${privatePart}`);
    }
  }

  const header = decodeProtectedHeader(jwt);
  // asymmetric_jwt: signed with the private key, JWT_SIGNING_ALGORITHM
  // (RS512 by default, as Open edX).
  assert.equal(header.alg, 'RS512');
  const jwks = createRemoteJWKSet(new URL(base + '/auth/jwks.json'));
  const options = { algorithms: ['RS512'] };
  if (issuer) options.issuer = issuer;
  if (audience) options.audience = audience;
  const { payload } = await jwtVerify(jwt, jwks, options);
  assert.equal(payload.preferred_username, username);
  assert.equal(payload.email, email);
  assert.equal(payload.administrator, true, 'createsuperuser makes a staff user');
  assert.equal(payload.grant_type, 'password');
  assert.ok(Array.isArray(payload.scopes));
  assert.ok(payload.exp > payload.iat);
  assert.ok(typeof payload.sub === 'string' && payload.sub.length > 0);
  assert.equal(typeof payload.user_id, 'number');
  assert.equal(payload.email_verified, true);
  assert.deepEqual(payload.filters, ['user:me']);

  const tampered = jwt.slice(0, -4) + (jwt.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  await assert.rejects(jwtVerify(tampered, jwks, options));
  const bad = await call(null, '/api/user/v1/me', { headers: { Authorization: `JWT ${tampered}` } });
  assert.equal(bad.status, 401);
});

test('opaque Bearer token works until revoked', async () => {
  const token = await call(null, '/oauth2/access_token/', {
    method: 'POST',
    form: { grant_type: 'password', client_id: clientId, client_secret: clientSecret, username, password },
  });
  assert.equal(token.status, 200, token.text);
  assert.equal(token.json.token_type, 'Bearer');
  const bearer = { Authorization: `Bearer ${token.json.access_token}` };
  assert.equal((await call(null, '/api/user/v1/me', { headers: bearer })).status, 200);
  const revoke = await call(null, '/oauth2/revoke_token/', {
    method: 'POST',
    form: { token: token.json.access_token, client_id: clientId, client_secret: clientSecret },
  });
  assert.equal(revoke.status, 200, revoke.text);
  assert.equal((await call(null, '/api/user/v1/me', { headers: bearer })).status, 401);
});
