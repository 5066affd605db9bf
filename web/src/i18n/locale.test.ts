import { describe, expect, it } from 'vitest';
import { applyLocaleToDocument, chooseLocale, directionOf, normalizeLocale } from './locale';

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
