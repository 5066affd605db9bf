import { useEffect } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router-dom';
import { Button, Dropdown } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import { useSite } from './SiteContext';
import { rememberLocale, SUPPORTED_LOCALES } from '../i18n/locale';
import type { Locale } from '../i18n/locale';

const messages = defineMessages({
  skip: { id: 'header.skip', defaultMessage: 'Skip to main content' },
  home: { id: 'header.home', defaultMessage: '{site} home' },
  courses: { id: 'header.courses', defaultMessage: 'Courses' },
  dashboard: { id: 'header.dashboard', defaultMessage: 'Dashboard' },
  signIn: { id: 'header.signIn', defaultMessage: 'Sign in' },
  register: { id: 'header.register', defaultMessage: 'Register' },
  signOut: { id: 'header.signOut', defaultMessage: 'Sign out' },
  profile: { id: 'header.profile', defaultMessage: 'Profile' },
  account: { id: 'header.account', defaultMessage: 'Account' },
  userMenu: { id: 'header.userMenu', defaultMessage: 'Account menu for {username}' },
  mainNav: { id: 'header.mainNav', defaultMessage: 'Main' },
  language: { id: 'footer.language', defaultMessage: 'Language' },
  rights: { id: 'footer.rights', defaultMessage: '© {year} {site}' },
  powered: { id: 'footer.powered', defaultMessage: 'Powered by Larch' },
  support: { id: 'footer.support', defaultMessage: 'Contact support' },
  footerNav: { id: 'footer.nav', defaultMessage: 'Footer' },
});

const LANGUAGE_NAMES: Record<Locale, string> = { en: 'English', ar: 'العربية' };

function Header() {
  const intl = useIntl();
  const { config, user } = useSite();
  const location = useLocation();
  const next = encodeURIComponent(location.pathname + location.search);
  const onAuthPage = ['/login', '/register'].includes(location.pathname);
  return (
    <header className="larch-header">
      <a className="larch-skip-link" href="#main-content">
        {intl.formatMessage(messages.skip)}
      </a>
      <div className="container-xl larch-header-inner">
        <Link to="/" className="larch-brand" aria-label={intl.formatMessage(messages.home, { site: config.SITE_NAME })}>
          <img src={config.LOGO_URL} alt="" className="larch-logo" width={36} height={36} />
          <span className="larch-site-name">{config.SITE_NAME}</span>
        </Link>
        <nav aria-label={intl.formatMessage(messages.mainNav)} className="larch-main-nav">
          <NavLink to="/courses" end>{intl.formatMessage(messages.courses)}</NavLink>
          {user && <NavLink to="/dashboard">{intl.formatMessage(messages.dashboard)}</NavLink>}
        </nav>
        <div className="larch-user-area">
          {user === undefined ? null : user ? (
            <Dropdown>
              <Dropdown.Toggle
                id="user-menu"
                variant="outline-primary"
                aria-label={intl.formatMessage(messages.userMenu, { username: user.username })}
              >
                <span className="larch-avatar" aria-hidden="true">
                  {user.username.slice(0, 1).toUpperCase()}
                </span>
                {user.username}
              </Dropdown.Toggle>
              <Dropdown.Menu align="right">
                <Dropdown.Item as={Link} to="/dashboard">
                  {intl.formatMessage(messages.dashboard)}
                </Dropdown.Item>
                <Dropdown.Item as={Link} to={`/u/${encodeURIComponent(user.username)}`}>
                  {intl.formatMessage(messages.profile)}
                </Dropdown.Item>
                <Dropdown.Item as={Link} to="/account/settings">
                  {intl.formatMessage(messages.account)}
                </Dropdown.Item>
                <Dropdown.Item href="/logout?redirect_url=/">
                  {intl.formatMessage(messages.signOut)}
                </Dropdown.Item>
              </Dropdown.Menu>
            </Dropdown>
          ) : (
            !onAuthPage && (
              <>
                <Button as={Link} to={`/login?next=${next}`} variant="outline-primary" className="mie-2">
                  {intl.formatMessage(messages.signIn)}
                </Button>
                <Button as={Link} to={`/register?next=${next}`} variant="brand">
                  {intl.formatMessage(messages.register)}
                </Button>
              </>
            )
          )}
        </div>
      </div>
    </header>
  );
}

function LanguagePicker() {
  const intl = useIntl();
  const onChange = (e: React.ChangeEvent<HTMLSelectElement>) => {
    rememberLocale(e.target.value as Locale);
    const url = new URL(window.location.href);
    url.searchParams.delete('lang');
    window.location.assign(url.toString());
  };
  return (
    <label className="larch-language">
      <span className="mie-2">{intl.formatMessage(messages.language)}</span>
      <select className="form-control form-control-sm" value={intl.locale} onChange={onChange}>
        {SUPPORTED_LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANGUAGE_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}

function Footer() {
  const intl = useIntl();
  const { config } = useSite();
  return (
    <footer className="larch-footer">
      <div className="container-xl larch-footer-inner">
        <img src={config.LOGO_WHITE_URL} alt="" className="larch-footer-logo" width={28} height={28} />
        <p className="mb-0">
          {intl.formatMessage(messages.rights, { year: new Date().getFullYear(), site: config.SITE_NAME })}
          {config.SITE_NAME !== 'Larch' && <span className="mis-2">· {intl.formatMessage(messages.powered)}</span>}
        </p>
        <nav aria-label={intl.formatMessage(messages.footerNav)} className="larch-footer-nav">
          <Link to="/courses">{intl.formatMessage(messages.courses)}</Link>
          {config.SUPPORT_EMAIL && (
            <a href={`mailto:${config.SUPPORT_EMAIL}`}>{intl.formatMessage(messages.support)}</a>
          )}
        </nav>
        <LanguagePicker />
      </div>
    </footer>
  );
}

/**
 * Moves focus to the page when the route changes, so keyboard users start at
 * the content; a page that places the focus itself (the player's unit title)
 * says so with `{focusUnit: true}` in the location state.
 */
function useFocusOnNavigate() {
  const location = useLocation();
  const placed = (location.state as { focusUnit?: boolean } | null)?.focusUnit === true;
  useEffect(() => {
    const main = document.getElementById('main-content');
    if (placed) return;
    if (main && document.activeElement && document.activeElement !== document.body) {
      main.focus({ preventScroll: true });
    }
    window.scrollTo?.(0, 0);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [location.pathname]);
}

export function Layout() {
  useFocusOnNavigate();
  return (
    <div className="larch-app">
      <Header />
      <main id="main-content" tabIndex={-1} className="larch-main">
        <Outlet />
      </main>
      <Footer />
    </div>
  );
}

/** Sets the document title as "<page> | <site>". */
export function usePageTitle(title: string | undefined) {
  const { config } = useSite();
  useEffect(() => {
    document.title = title ? `${title} | ${config.SITE_NAME}` : config.SITE_NAME;
  }, [title, config.SITE_NAME]);
}
