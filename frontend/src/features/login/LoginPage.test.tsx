import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { jsonResponse, renderWithStore } from '../../test/render';
import LoginPage from './LoginPage';

afterEach(() => vi.unstubAllGlobals());

describe('LoginPage', () => {
  it('shows the API’s detail for wrong credentials', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse({ detail: 'Invalid email or password.', status_code: 401, code: 'authentication_failed' }, 401)));
    renderWithStore(<LoginPage />, { route: '/login' });
    await userEvent.type(screen.getByLabelText('E-mail'), 'a@b.test');
    await userEvent.type(screen.getByLabelText('Password'), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByTestId('login-error')).toHaveTextContent('Invalid email or password.');
  });

  it('says when sign-in is throttled', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse({ detail: 'Request was throttled. Expected available in 42 seconds.', status_code: 429, code: 'throttled' }, 429)));
    renderWithStore(<LoginPage />, { route: '/login' });
    await userEvent.type(screen.getByLabelText('E-mail'), 'a@b.test');
    await userEvent.type(screen.getByLabelText('Password'), 'x');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const alert = await screen.findByTestId('login-error');
    expect(alert).toHaveTextContent('Too many attempts.');
    expect(alert).toHaveTextContent('42 seconds');
  });

  it('signs in and keeps the token in memory only', async () => {
    const fetchMock = vi.fn(async () => jsonResponse({ access: 'token-1', user: { id: 'u', email: 'a@b.test', role: 'UPLOADER', tenant_id: 't' } }));
    vi.stubGlobal('fetch', fetchMock);
    const { store } = renderWithStore(<LoginPage />, { route: '/login' });
    await userEvent.type(screen.getByLabelText('E-mail'), 'a@b.test');
    await userEvent.type(screen.getByLabelText('Password'), 'secret');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(store.getState().auth.status).toBe('authenticated'));
    expect(store.getState().auth.access).toBe('token-1');
    expect(window.localStorage.length).toBe(0);
    expect(window.sessionStorage.length).toBe(0);
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/web/session/login/');
    expect(init.credentials).toBe('same-origin');
  });

  it('asks for both fields before sending anything', async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    renderWithStore(<LoginPage />, { route: '/login' });
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByTestId('login-error')).toHaveTextContent('Enter your e-mail address and password.');
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
