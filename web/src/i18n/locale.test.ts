import { describe, expect, it } from 'vitest';
import { applyLocaleToDocument, chooseLocale, directionOf, loadMessages, normalizeLocale } from './locale';
import ar from './messages/ar.json';

describe('language choice', () => {
  it('prefers ?lang=, then the language cookie, then the browser', () => {
    expect(chooseLocale('?lang=ar', 'openedx-language-preference=en', ['en'])).toBe('ar');
    expect(chooseLocale('', 'x=1; openedx-language-preference=ar', ['en-US'])).toBe('ar');
    expect(chooseLocale('', '', ['fr-FR', 'ar-EG'])).toBe('ar');
    expect(chooseLocale('?lang=zz', 'openedx-language-preference=zz', ['de'])).toBe('en');
  });

  it('normalizes tags', () => {
    expect(normalizeLocale('AR_eg')).toBe('ar');
    expect(normalizeLocale('en-GB')).toBe('en');
    expect(normalizeLocale('')).toBeNull();
  });

  it('sets dir=rtl on <html> for Arabic only', () => {
    expect(directionOf('ar')).toBe('rtl');
    expect(directionOf('he-IL')).toBe('rtl');
    expect(directionOf('en')).toBe('ltr');
    applyLocaleToDocument('ar');
    expect(document.documentElement.dir).toBe('rtl');
    expect(document.documentElement.lang).toBe('ar');
    applyLocaleToDocument('en');
    expect(document.documentElement.dir).toBe('ltr');
  });
});

describe('catalogs', () => {
  it('loads Paragon\'s Arabic messages under the app\'s', async () => {
    const messages = await loadMessages('ar');
    expect(messages['login.title']).toBe(ar['login.title']);
    expect(Object.keys(messages).some((k) => k.startsWith('pgn.'))).toBe(true);
    expect(await loadMessages('en')).toEqual({});
  });
});
