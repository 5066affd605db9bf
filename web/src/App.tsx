import { lazy, Suspense } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { IntlProvider } from 'react-intl';
import type { SiteConfig } from './api/config';
import type { Locale } from './i18n/locale';
import { SiteProvider } from './components/SiteContext';
import { Layout } from './components/Layout';
import { Loading } from './components/Status';

const Catalog = lazy(() => import('./pages/Catalog'));
const CourseAbout = lazy(() => import('./pages/CourseAbout'));
const Login = lazy(() => import('./pages/Login'));
const Register = lazy(() => import('./pages/Register'));
const Activation = lazy(() => import('./pages/Activation'));
const ResetRequest = lazy(() => import('./pages/ResetRequest'));
const ResetConfirm = lazy(() => import('./pages/ResetConfirm'));
const Dashboard = lazy(() => import('./pages/Dashboard'));
const InstructorDashboard = lazy(() => import('./pages/InstructorDashboard'));
const NotFound = lazy(() => import('./pages/NotFound'));

export function AppRoutes() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route element={<Layout />}>
          <Route index element={<Catalog />} />
          <Route path="courses" element={<Catalog />} />
          <Route path="courses/:courseId/about" element={<CourseAbout />} />
          <Route path="courses/:courseId/instructor" element={<InstructorDashboard />} />
          <Route path="login" element={<Login />} />
          <Route path="register" element={<Register />} />
          <Route path="activation" element={<Activation />} />
          <Route path="reset" element={<ResetRequest />} />
          <Route path="password_reset_confirm/:tokenPath" element={<ResetConfirm />} />
          <Route path="dashboard" element={<Dashboard />} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </Suspense>
  );
}

export function App({
  config,
  locale,
  messages,
}: {
  config: SiteConfig;
  locale: Locale;
  messages: Record<string, string>;
}) {
  return (
    <IntlProvider locale={locale} messages={messages} defaultLocale="en">
      <SiteProvider config={config}>
        <BrowserRouter>
          <AppRoutes />
        </BrowserRouter>
      </SiteProvider>
    </IntlProvider>
  );
}
