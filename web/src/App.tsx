import { lazy, Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
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
const NotFound = lazy(() => import('./pages/NotFound'));
// Profile and account (issue 11).
const Profile = lazy(() => import('./pages/Profile'));
const AccountSettings = lazy(() => import('./pages/AccountSettings'));
const CourseHome = lazy(() => import('./pages/CourseHome'));
const Courseware = lazy(() => import('./pages/Courseware'));
// Course team pages (issue 11 item 7).
const Instructor = lazy(() => import('./pages/instructor/Instructor'));

export function AppRoutes() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route element={<Layout />}>
          <Route index element={<Catalog />} />
          <Route path="courses" element={<Catalog />} />
          <Route path="courses/:courseId/about" element={<CourseAbout />} />
          <Route path="courses/:courseId/instructor" element={<Instructor />} />
          <Route path="login" element={<Login />} />
          <Route path="register" element={<Register />} />
          <Route path="activation" element={<Activation />} />
          <Route path="reset" element={<ResetRequest />} />
          <Route path="password_reset_confirm/:tokenPath" element={<ResetConfirm />} />
          <Route path="dashboard" element={<Dashboard />} />
          <Route path="u/:username" element={<Profile />} />
          <Route path="account/settings" element={<AccountSettings />} />
          <Route path="learning/course/:courseId">
            <Route index element={<Navigate to="home" replace />} />
            <Route path="home" element={<CourseHome tab="home" />} />
            <Route path="dates" element={<CourseHome tab="dates" />} />
            <Route path="progress" element={<CourseHome tab="progress" />} />
            <Route path=":sequenceId/:unitId?" element={<Courseware />} />
          </Route>
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
