// Which language the app speaks: `?lang=` (remembered in the cookie), then the
// `openedx-language-preference` cookie frontend-platform reads, then the
// browser's languages. Right-to-left languages set dir="rtl" on <html>.
import { readCookie } from '../api/auth';

export const LANGUAGE_COOKIE = 'openedx-language-preference';
export const SUPPORTED_LOCALES = ['en', 'ar'] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];
const RTL_LOCALES = new Set(['ar', 'he', 'fa', 'ur']);

export function normalizeLocale(tag: string | null | undefined): Locale | null {
  if (!tag) return null;
  const base = tag.trim().toLowerCase().replace('_', '-').split('-')[0];
  return (SUPPORTED_LOCALES as readonly string[]).includes(base) ? (base as Locale) : null;
}

export function chooseLocale(
  search: string,
  cookies: string,
  browserLanguages: readonly string[],
): Locale {
  const fromQuery = normalizeLocale(new URLSearchParams(search).get('lang'));
  if (fromQuery) return fromQuery;
  const fromCookie = normalizeLocale(readCookie(LANGUAGE_COOKIE, cookies));
  if (fromCookie) return fromCookie;
  for (const lang of browserLanguages) {
    const l = normalizeLocale(lang);
    if (l) return l;
  }
  return 'en';
}

export function directionOf(locale: string): 'rtl' | 'ltr' {
  return RTL_LOCALES.has(locale.split('-')[0]) ? 'rtl' : 'ltr';
}

export function applyLocaleToDocument(locale: Locale, doc: Document = document): void {
  doc.documentElement.lang = locale;
  doc.documentElement.dir = directionOf(locale);
}

export function rememberLocale(locale: Locale): void {
  document.cookie = `${LANGUAGE_COOKIE}=${locale}; path=/; max-age=31536000; samesite=lax`;
}

/** The catalog for a locale (Paragon's own, then the app's); English is the messages' defaults. */
export async function loadMessages(locale: Locale): Promise<Record<string, string>> {
  if (locale === 'ar') {
    const [paragon, app] = await Promise.all([
      import('@openedx/paragon/src/i18n/messages/ar.json'),
      import('./messages/ar.json'),
    ]);
    return { ...paragon.default, ...app.default };
  }
  return {};
}
