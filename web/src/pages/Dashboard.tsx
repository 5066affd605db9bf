import { useState } from 'react';
import type { ReactNode } from 'react';
import { Link, Navigate, useSearchParams } from 'react-router-dom';
import { Alert, Badge, Button, Card, ModalDialog, StatefulButton } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import { usePageTitle } from '../components/Layout';
import { useSite } from '../components/SiteContext';
import { ErrorPanel, Loading } from '../components/Status';
import { courseAboutPath } from '../components/CourseCard';
import { ApiError, errorMessage, request } from '../api/http';
import { useLoad } from '../lib/useLoad';
import { useInteractiveMark } from '../lib/perf';
import { parseEnrollmentList, parseLearnerHome } from '../lib/dashboard';
import { parseCourseList } from '../lib/catalog';
import { learningPathOf } from '../lib/learning';
import type { DashboardCourse, DashboardData } from '../lib/dashboard';

const messages = defineMessages({
  title: { id: 'dashboard.title', defaultMessage: 'My courses' },
  activated: { id: 'dashboard.activated', defaultMessage: 'Your account is activated. Enjoy your courses!' },
  activationError: { id: 'dashboard.activationError', defaultMessage: 'This activation link is not valid or was already used.' },
  confirmEmail: { id: 'dashboard.confirmEmail', defaultMessage: 'Remember to activate your account: follow the link we emailed you.' },
  resend: { id: 'dashboard.resend', defaultMessage: 'Send it again' },
  empty: { id: 'dashboard.empty', defaultMessage: 'You are not enrolled in any course yet.' },
  emptyHint: { id: 'dashboard.emptyHint', defaultMessage: 'Find a course you like in the catalog.' },
  explore: { id: 'dashboard.explore', defaultMessage: 'Explore courses' },
  suggested: { id: 'dashboard.suggested', defaultMessage: 'You might like' },
  resume: { id: 'dashboard.resume', defaultMessage: 'Resume' },
  begin: { id: 'dashboard.begin', defaultMessage: 'Begin course' },
  viewArchived: { id: 'dashboard.viewArchived', defaultMessage: 'View course' },
  progress: { id: 'dashboard.progress', defaultMessage: 'Progress' },
  upgrade: { id: 'dashboard.upgrade', defaultMessage: 'Upgrade to a verified certificate' },
  unenroll: { id: 'dashboard.unenroll', defaultMessage: 'Unenroll' },
  unenrollTitle: { id: 'dashboard.unenrollTitle', defaultMessage: 'Unenroll from {course}?' },
  unenrollBody: { id: 'dashboard.unenrollBody', defaultMessage: 'You can enroll again later from the course page.' },
  unenrollConfirm: { id: 'dashboard.unenrollConfirm', defaultMessage: 'Unenroll' },
  unenrolling: { id: 'dashboard.unenrolling', defaultMessage: 'Unenrolling…' },
  cancel: { id: 'dashboard.cancel', defaultMessage: 'Cancel' },
  unenrollFailed: { id: 'dashboard.unenrollFailed', defaultMessage: 'We could not unenroll you. Please try again.' },
  starts: { id: 'dashboard.starts', defaultMessage: 'Starts {date}' },
  ended: { id: 'dashboard.ended', defaultMessage: 'Ended {date}' },
  ends: { id: 'dashboard.ends', defaultMessage: 'Ends {date}' },
  passing: { id: 'dashboard.passing', defaultMessage: 'Passing' },
  certificate: { id: 'dashboard.certificate', defaultMessage: 'View certificate' },
  certEarned: { id: 'dashboard.certEarned', defaultMessage: 'Certificate earned' },
  mode: { id: 'dashboard.mode', defaultMessage: '{mode} track' },
  courseTeam: { id: 'dashboard.courseTeam', defaultMessage: 'Course team' },
  courseTeamOf: { id: 'dashboard.courseTeamOf', defaultMessage: 'Course team pages of {course}' },
  teaching: { id: 'dashboard.teaching', defaultMessage: 'Courses you teach' },
});

/**
 * The courses whose team pages the user may open: their staff and instructor
 * roles from GET /api/enrollment/v1/roles/ (`is_staff`: every course). Best
 * effort: the dashboard shows no links when it fails.
 */
async function loadTeamCourses(signal: AbortSignal): Promise<{ all: boolean; courses: string[] }> {
  try {
    const body = (await request('/api/enrollment/v1/roles/', { signal })) as { roles?: { course_id?: string; role?: string }[]; is_staff?: boolean };
    const courses = (body?.roles ?? [])
      .filter((r) => (r.role === 'staff' || r.role === 'instructor') && r.course_id && r.course_id !== 'None')
      .map((r) => r.course_id as string);
    return { all: Boolean(body?.is_staff), courses: [...new Set(courses)] };
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    return { all: false, courses: [] };
  }
}

const instructorPath = (courseId: string) => `/courses/${courseId}/instructor`;

async function loadDashboard(signal: AbortSignal): Promise<DashboardData> {
  try {
    return parseLearnerHome(await request('/api/learner_home/init', { signal }));
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
    const data = parseEnrollmentList(await request('/api/enrollment/v1/enrollment', { signal }), new Date());
    return withCourseImages(data, signal);
  }
}

/** Course images for the enrollment-list fallback, from one Courses API call (best effort). */
async function withCourseImages(data: DashboardData, signal: AbortSignal): Promise<DashboardData> {
  if (data.courses.length === 0) return data;
  const q = new URLSearchParams({ page_size: '100' });
  data.courses.forEach((c) => q.append('course_keys', c.courseId));
  try {
    const list = parseCourseList(await request(`/api/courses/v1/courses/?${q}`, { signal }));
    const images = new Map(list.courses.map((c) => [c.id, c.imageUrl]));
    return { ...data, courses: data.courses.map((c) => ({ ...c, imageUrl: c.imageUrl ?? images.get(c.courseId) ?? null })) };
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    return data;
  }
}

export default function Dashboard() {
  const intl = useIntl();
  usePageTitle(intl.formatMessage(messages.title));
  const { user } = useSite();
  const [params] = useSearchParams();
  const data = useLoad((signal) => (user ? loadDashboard(signal) : Promise.resolve(null)), [user?.username]);
  const team = useLoad((signal) => (user ? loadTeamCourses(signal) : Promise.resolve({ all: false, courses: [] })), [user?.username]);
  const teaches = (id: string) => Boolean(team.data && (team.data.all || team.data.courses.includes(id)));
  const [leaving, setLeaving] = useState<DashboardCourse | null>(null);
  useInteractiveMark(data.status === 'done' && Boolean(data.data));

  if (user === undefined) return <Loading />;
  if (!user) return <Navigate to="/login?next=/dashboard" replace />;
  const activation = params.get('account_activation_status');

  return (
    <div className="container-xl larch-dashboard">
      <h1 className="mb-4 mt-4">{intl.formatMessage(messages.title)}</h1>
      {activation === 'success' && (
        <Alert variant="success" role="status">
          {intl.formatMessage(messages.activated)}
        </Alert>
      )}
      {activation === 'error' && <Alert variant="danger">{intl.formatMessage(messages.activationError)}</Alert>}
      {data.status === 'loading' && <Loading />}
      {data.status === 'error' && <ErrorPanel error={data.error} onRetry={data.retry} />}
      {data.status === 'done' && data.data && (
        <>
          {data.data.emailConfirmationNeeded && activation !== 'success' && (
            <Alert variant="info" actions={[<Button key="a" as={Link} to="/activation" variant="outline-primary">{intl.formatMessage(messages.resend)}</Button>]}>
              {intl.formatMessage(messages.confirmEmail)}
            </Alert>
          )}
          {data.data.courses.length === 0 ? (
            <EmptyDashboard data={data.data} />
          ) : (
            <ul className="list-unstyled larch-dashboard-list">
              {data.data.courses.map((c) => (
                <li key={c.courseId}>
                  <DashboardCard course={c} onUnenroll={() => setLeaving(c)} teaches={teaches(c.courseId)} />
                </li>
              ))}
            </ul>
          )}
          <TeachingList courses={(team.data?.courses ?? []).filter((id) => !data.data?.courses.some((c) => c.courseId === id))} />
        </>
      )}
      {leaving && (
        <UnenrollDialog
          course={leaving}
          onClose={() => setLeaving(null)}
          onDone={() => {
            if (data.data) data.setData({ ...data.data, courses: data.data.courses.filter((c) => c.courseId !== leaving.courseId) });
            setLeaving(null);
          }}
        />
      )}
    </div>
  );
}

function EmptyDashboard({ data }: { data: DashboardData }) {
  const intl = useIntl();
  return (
    <div className="larch-empty">
      <p className="lead mb-1">{intl.formatMessage(messages.empty)}</p>
      <p>{intl.formatMessage(messages.emptyHint)}</p>
      <Button as={Link} to="/courses" variant="brand">
        {intl.formatMessage(messages.explore)}
      </Button>
      {data.suggestions.length > 0 && (
        <>
          <h2 className="h4 mt-5">{intl.formatMessage(messages.suggested)}</h2>
          <ul className="list-unstyled larch-suggestion-list">
            {data.suggestions.map((s) => (
              <li key={s.url}>
                <a href={s.url}>{s.name}</a>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

/** Courses the user is on the team of but not enrolled in: links to their team pages. */
function TeachingList({ courses }: { courses: string[] }) {
  const intl = useIntl();
  if (courses.length === 0) return null;
  return (
    <section className="mt-5 larch-teaching" aria-labelledby="teaching-title">
      <h2 id="teaching-title" className="h4">{intl.formatMessage(messages.teaching)}</h2>
      <ul className="list-unstyled">
        {courses.map((id) => (
          <li key={id}>
            <Link to={instructorPath(id)}>{id}</Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

function DashboardCard({ course, onUnenroll, teaches }: { course: DashboardCourse; onUnenroll: () => void; teaches: boolean }) {
  const intl = useIntl();
  const fmt = (iso: string) => intl.formatDate(new Date(iso), { year: 'numeric', month: 'short', day: 'numeric' });
  const now = Date.now();
  const dateLine = !course.isStarted && course.startDate
    ? intl.formatMessage(messages.starts, { date: fmt(course.startDate) })
    : course.endDate
      ? intl.formatMessage(new Date(course.endDate).getTime() < now ? messages.ended : messages.ends, { date: fmt(course.endDate) })
      : null;
  const action = course.isArchived ? messages.viewArchived : course.resumeUrl ? messages.resume : messages.begin;
  return (
    <Card className="larch-dashboard-card">
      <div className="larch-dashboard-card-inner">
        <div className="larch-dashboard-image" aria-hidden="true">
          {course.imageUrl ? <img src={course.imageUrl} alt="" /> : <span>{course.provider.slice(0, 3)}</span>}
        </div>
        <div className="larch-dashboard-main">
          <p className="larch-card-org small mb-1">
            {course.provider} · {course.number}
          </p>
          <h2 className="h3 mb-1">
            <Link to={courseAboutPath(course.courseId)}>{course.name}</Link>
          </h2>
          <p className="small text-muted mb-2">
            {dateLine}
            {dateLine && ' · '}
            {intl.formatMessage(messages.mode, { mode: course.mode.charAt(0).toUpperCase() + course.mode.slice(1) })}
          </p>
          <div className="d-flex flex-wrap larch-gap align-items-center">
            {course.isPassing && <Badge variant="success">{intl.formatMessage(messages.passing)}</Badge>}
            {course.certificate === 'earned' && <Badge variant="info">{intl.formatMessage(messages.certEarned)}</Badge>}
            {course.certificate === 'downloadable' && course.certificateUrl && (
              <a href={course.certificateUrl}>{intl.formatMessage(messages.certificate)}</a>
            )}
            {course.canUpgrade && course.upgradeUrl && <a href={course.upgradeUrl}>{intl.formatMessage(messages.upgrade)}</a>}
          </div>
        </div>
        <div className="larch-dashboard-actions">
          <AppLinkButton url={course.resumeUrl ?? course.homeUrl} variant="primary">
            {intl.formatMessage(action)}
          </AppLinkButton>
          {course.progressUrl && (
            <AppLinkButton url={course.progressUrl} variant="outline-primary">
              {intl.formatMessage(messages.progress)}
            </AppLinkButton>
          )}
          {teaches && (
            <Button as={Link} to={instructorPath(course.courseId)} variant="outline-primary"
              aria-label={intl.formatMessage(messages.courseTeamOf, { course: course.name })}>
              {intl.formatMessage(messages.courseTeam)}
            </Button>
          )}
          <Button variant="link" size="sm" onClick={onUnenroll}>
            {intl.formatMessage(messages.unenroll)}
          </Button>
        </div>
      </div>
    </Card>
  );
}

/** A button to a learning page: a router link for the app's routes, else a plain link. */
function AppLinkButton({ url, variant, children }: { url: string; variant: string; children: ReactNode }) {
  const path = learningPathOf(url);
  return path ? (
    <Button as={Link} to={path} variant={variant}>
      {children}
    </Button>
  ) : (
    <Button as="a" href={url} variant={variant}>
      {children}
    </Button>
  );
}

function UnenrollDialog({ course, onClose, onDone }: { course: DashboardCourse; onClose: () => void; onDone: () => void }) {
  const intl = useIntl();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const title = intl.formatMessage(messages.unenrollTitle, { course: course.name });
  const confirm = async () => {
    setPending(true);
    setError(null);
    try {
      await request('/change_enrollment', { form: { course_id: course.courseId, enrollment_action: 'unenroll' } });
      onDone();
    } catch (e) {
      setError((e instanceof ApiError && errorMessage(e.body)) || intl.formatMessage(messages.unenrollFailed));
      setPending(false);
    }
  };
  return (
    <ModalDialog title={title} isOpen onClose={onClose} hasCloseButton={false} variant="default" isOverflowVisible={false}>
      <ModalDialog.Header>
        <ModalDialog.Title>{title}</ModalDialog.Title>
      </ModalDialog.Header>
      <ModalDialog.Body>
        <p>{intl.formatMessage(messages.unenrollBody)}</p>
        {error && <Alert variant="danger">{error}</Alert>}
      </ModalDialog.Body>
      <ModalDialog.Footer>
        <ModalDialog.CloseButton variant="tertiary">{intl.formatMessage(messages.cancel)}</ModalDialog.CloseButton>
        <StatefulButton
          variant="danger"
          state={pending ? 'pending' : 'default'}
          onClick={() => void confirm()}
          labels={{ default: intl.formatMessage(messages.unenrollConfirm), pending: intl.formatMessage(messages.unenrolling) }}
        />
      </ModalDialog.Footer>
    </ModalDialog>
  );
}
