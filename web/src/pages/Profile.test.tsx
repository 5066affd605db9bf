import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { IntlProvider } from 'react-intl';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { SiteProvider } from '../components/SiteContext';
import { DEFAULT_CONFIG } from '../api/config';
import Profile from './Profile';

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const image = { has_image: false, image_url_large: 'http://x/default_120.png' };
const lena = {
  username: 'lena', name: 'Lena Larch', bio: 'I grow larches.', country: 'FR', account_privacy: 'all_users',
  profile_image: image, language_proficiencies: [], social_links: [], year_of_birth: 1990,
  requires_parental_consent: false, date_joined: '2026-01-02T03:04:05Z',
};

function renderProfile(viewer: string, path: string) {
  return render(
    <IntlProvider locale="en" messages={{}}>
      <SiteProvider config={DEFAULT_CONFIG} initialUser={{ userId: 2, username: viewer, administrator: false, roles: [] }}>
        <MemoryRouter initialEntries={[path]}>
          <Routes>
            <Route path="/u/:username" element={<Profile />} />
          </Routes>
        </MemoryRouter>
      </SiteProvider>
    </IntlProvider>,
  );
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('Profile', () => {
  it("another learner's limited profile shows only what the API sent, without edit buttons", async () => {
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      if (url === '/api/user/v1/accounts/lena') return json({ username: 'lena', account_privacy: 'private', profile_image: image });
      throw new Error(`unexpected ${url}`);
    }));
    renderProfile('sam', '/u/lena');
    expect(await screen.findByText('lena has a limited profile.')).toBeTruthy();
    expect(screen.queryByText('About me')).toBeNull();
    expect(screen.queryByRole('button', { name: /^Edit/ })).toBeNull();
    expect(screen.getByRole('heading', { name: 'Accomplishments' })).toBeTruthy();
  });

  it('the owner edits the bio with a merge patch; a refusal shows under the field', async () => {
    const patches: { body: string; type: string | null }[] = [];
    vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
      if (url === '/csrf/api/v1/token') return json({ csrfToken: 'tok' });
      if (url === '/api/user/v1/accounts/lena' && init?.method === 'PATCH') {
        patches.push({ body: String(init.body), type: new Headers(init.headers).get('content-type') });
        return json({ field_errors: { bio: { developer_message: 'x', user_message: 'The about me field must be at most 300 characters long.' } } }, 400);
      }
      if (url === '/api/user/v1/accounts/lena') return json(lena);
      throw new Error(`unexpected ${url}`);
    }));
    renderProfile('lena', '/u/lena');
    fireEvent.click(await screen.findByRole('button', { name: 'Edit About me' }));
    fireEvent.change(screen.getByLabelText('About me'), { target: { value: 'x'.repeat(301) } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.getByText('The about me field must be at most 300 characters long.')).toBeTruthy());
    expect(patches).toEqual([{ body: JSON.stringify({ bio: 'x'.repeat(301) }), type: 'application/merge-patch+json' }]);
  });

  it('an unknown learner, and a retry when the network fails', async () => {
    let calls = 0;
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      calls += 1;
      if (calls === 1) throw new TypeError('Failed to fetch');
      if (url === '/api/user/v1/accounts/nobody') return new Response('', { status: 404 });
      throw new Error(`unexpected ${url}`);
    }));
    renderProfile('sam', '/u/nobody');
    fireEvent.click(await screen.findByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('There is no learner called nobody.')).toBeTruthy();
  });
});
