import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { IntlProvider } from 'react-intl';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { SiteProvider } from '../components/SiteContext';
import { DEFAULT_CONFIG } from '../api/config';
import Register from './Register';

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const description = {
  fields: [
    { name: 'email', label: 'Email', type: 'email', required: true },
    { name: 'name', label: 'Full Name', type: 'text', required: true },
    { name: 'username', label: 'Public Username', type: 'text', required: true },
    { name: 'password', label: 'Password', type: 'password', required: true },
    { name: 'honor_code', label: 'I agree to the Terms', type: 'checkbox', required: true },
  ],
};

function renderRegister() {
  return render(
    <IntlProvider locale="en" messages={{}}>
      <SiteProvider config={DEFAULT_CONFIG} initialUser={null}>
        <MemoryRouter initialEntries={['/register']}>
          <Routes>
            <Route path="/register" element={<Register />} />
            <Route path="/activation" element={<p>activation page</p>} />
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

describe('Register', () => {
  it('builds the form from the description and shows a 409 next to the email field', async () => {
    const posts: string[] = [];
    vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
      if (url === '/api/user/v1/account/registration/') return json(description);
      if (url === '/csrf/api/v1/token') return json({ csrfToken: 'tok' });
      if (url === '/api/user/v1/validation/registration') return json({ validation_decisions: {} });
      if (url === '/api/user/v2/account/registration/') {
        posts.push(String(init?.body));
        return json({ email: [{ user_message: 'It looks like a@b.co belongs to an existing account.' }], error_code: 'duplicate-email' }, 409);
      }
      throw new Error(`unexpected ${url}`);
    }));
    renderRegister();
    const email = await screen.findByLabelText('Email');
    fireEvent.change(email, { target: { value: 'a@b.co' } });
    fireEvent.change(screen.getByLabelText('Full Name'), { target: { value: 'Ana' } });
    fireEvent.change(screen.getByLabelText('Public Username'), { target: { value: 'ana' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'Secret-123' } });
    fireEvent.click(screen.getByLabelText('I agree to the Terms'));
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
    await waitFor(() => expect(screen.getByText(/belongs to an existing account/)).toBeTruthy());
    expect(posts[0]).toContain('honor_code=true');
    expect(posts[0]).toContain('email=a%40b.co');
    // The message is described by the email input (next to its field).
    const describedBy = email.getAttribute('aria-describedby') ?? '';
    const described = describedBy.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
    expect(described).toMatch(/existing account/);
  });

  it('checks required fields before calling the server', async () => {
    const fetchMock = vi.fn(async (url: string) => {
      if (url === '/api/user/v1/account/registration/') return json(description);
      throw new Error(`unexpected ${url}`);
    });
    vi.stubGlobal('fetch', fetchMock);
    renderRegister();
    fireEvent.click(await screen.findByRole('button', { name: 'Create account' }));
    await waitFor(() => expect(screen.getByText('Email is required.')).toBeTruthy());
    expect(screen.getByText('You must agree to continue.')).toBeTruthy();
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('shows a retry panel when the description cannot be loaded', async () => {
    let calls = 0;
    vi.stubGlobal('fetch', vi.fn(async () => {
      calls += 1;
      if (calls === 1) throw new TypeError('Failed to fetch');
      return json(description);
    }));
    renderRegister();
    fireEvent.click(await screen.findByRole('button', { name: 'Try again' }));
    expect(await screen.findByLabelText('Email')).toBeTruthy();
  });
});
