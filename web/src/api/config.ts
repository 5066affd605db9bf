// Site configuration from Open edX's MFE config API (GET /api/mfe_config/v1),
// with the defaults used when the server has no such API (404) yet.
import { ApiError, request } from './http';

export interface ThemeUrls {
  default?: string;
  brandOverride?: string;
}

export interface ParagonThemeUrls {
  core?: { urls?: ThemeUrls };
  defaults?: Record<string, string>;
  variants?: Record<string, { urls?: ThemeUrls }>;
}

export interface SiteConfig {
  SITE_NAME: string;
  LOGO_URL: string;
  LOGO_WHITE_URL: string;
  LOGO_TRADEMARK_URL: string;
  FAVICON_URL: string;
  LMS_BASE_URL: string;
  SUPPORT_EMAIL: string;
  PARAGON_THEME_URLS: ParagonThemeUrls;
  [key: string]: unknown;
}

export const DEFAULT_CONFIG: SiteConfig = {
  SITE_NAME: 'Larch',
  LOGO_URL: '/brand/logo.svg',
  LOGO_WHITE_URL: '/brand/logo-white.svg',
  LOGO_TRADEMARK_URL: '/brand/logo-trademark.svg',
  FAVICON_URL: '/brand/favicon.ico',
  LMS_BASE_URL: '',
  SUPPORT_EMAIL: '',
  PARAGON_THEME_URLS: {
    core: { urls: { brandOverride: '/brand/paragon/core.css' } },
    defaults: { light: 'light' },
    variants: { light: { urls: { brandOverride: '/brand/paragon/light.css' } } },
  },
};

export function mergeConfig(remote: unknown): SiteConfig {
  const merged: SiteConfig = { ...DEFAULT_CONFIG };
  if (remote && typeof remote === 'object') {
    for (const [key, value] of Object.entries(remote as Record<string, unknown>)) {
      if (value !== null && value !== undefined && value !== '') merged[key] = value;
    }
  }
  return merged;
}

export async function fetchSiteConfig(): Promise<SiteConfig> {
  try {
    return mergeConfig(await request('/api/mfe_config/v1?mfe=larch'));
  } catch (e) {
    if (e instanceof ApiError) return DEFAULT_CONFIG; // 404: not served (yet)
    return DEFAULT_CONFIG; // offline: the pages themselves show the retry panel
  }
}

/**
 * The stylesheets to add after the bundled Paragon CSS, in frontend-platform's
 * order: core (default, then brand override), then the default variant's.
 */
export function themeStylesheets(theme: ParagonThemeUrls | undefined): string[] {
  const urls: string[] = [];
  const add = (u?: ThemeUrls) => {
    if (u?.default) urls.push(u.default);
    if (u?.brandOverride) urls.push(u.brandOverride);
  };
  add(theme?.core?.urls);
  const variant = theme?.defaults?.light ?? 'light';
  add(theme?.variants?.[variant]?.urls);
  return urls;
}

export function applyTheme(config: SiteConfig, doc: Document = document): void {
  for (const href of themeStylesheets(config.PARAGON_THEME_URLS)) {
    if (doc.head.querySelector(`link[data-paragon-theme][href="${CSS.escape(href)}"]`)) continue;
    const link = doc.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    link.dataset.paragonTheme = 'true';
    doc.head.appendChild(link);
  }
  let icon = doc.head.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!icon) {
    icon = doc.createElement('link');
    icon.rel = 'icon';
    doc.head.appendChild(icon);
  }
  icon.href = config.FAVICON_URL;
}
