import '@openedx/paragon/dist/core.min.css';
import '@openedx/paragon/dist/light.min.css';
import './app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { applyTheme, fetchSiteConfig } from './api/config';
import { applyLocaleToDocument, chooseLocale, loadMessages, rememberLocale } from './i18n/locale';

async function start() {
  const locale = chooseLocale(window.location.search, document.cookie, navigator.languages ?? []);
  if (new URLSearchParams(window.location.search).has('lang')) rememberLocale(locale);
  applyLocaleToDocument(locale);
  const [config, messages] = await Promise.all([fetchSiteConfig(), loadMessages(locale)]);
  applyTheme(config);
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App config={config} locale={locale} messages={messages} />
    </StrictMode>,
  );
}

void start();
