// The course team page /courses/{course_id}/instructor (upstream's instructor
// dashboard, lms/templates/instructor/instructor_dashboard_2): course info,
// membership, student admin, grades and data download tabs. Who may see it
// comes from GET /api/courseware/course/{id}: `original_user_is_staff` is true
// for the course's staff and instructors and for global staff; anyone else
// gets a 403 page, anonymous visitors the sign-in page.
import { Link, Navigate, useParams, useSearchParams } from 'react-router-dom';
import { Button, Tab, Tabs } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import { usePageTitle } from '../../components/Layout';
import { useSite } from '../../components/SiteContext';
import { ErrorPanel, Loading } from '../../components/Status';
import { ApiError, request } from '../../api/http';
import { useLoad } from '../../lib/useLoad';
import { useInteractiveMark } from '../../lib/perf';
import { parseCourseInfo, parseGradebook } from '../../lib/instructor';
import type { CourseInfo } from '../../lib/instructor';
import MembershipTab from './MembershipTab';
import StudentAdminTab from './StudentAdminTab';
import GradesTab from './GradesTab';
import DataDownloadTab from './DataDownloadTab';
import './instructor.css';

const messages = defineMessages({
  title: { id: 'instructor.title', defaultMessage: 'Course team: {course}' },
  heading: { id: 'instructor.heading', defaultMessage: 'Instructor dashboard' },
  tabs: { id: 'instructor.tabs', defaultMessage: 'Course team tools' },
  info: { id: 'instructor.tab.info', defaultMessage: 'Course info' },
  membership: { id: 'instructor.tab.membership', defaultMessage: 'Membership' },
  studentAdmin: { id: 'instructor.tab.studentAdmin', defaultMessage: 'Student admin' },
  grades: { id: 'instructor.tab.grades', defaultMessage: 'Grades' },
  data: { id: 'instructor.tab.data', defaultMessage: 'Data download' },
  forbiddenTitle: { id: 'instructor.forbidden.title', defaultMessage: 'This page is for the course team' },
  forbiddenBody: {
    id: 'instructor.forbidden.body',
    defaultMessage: 'Only the course’s staff and instructors can open the instructor dashboard. Ask an instructor of the course to add you to the course team.',
  },
  toCourse: { id: 'instructor.forbidden.course', defaultMessage: 'Go to the course page' },
  notFound: { id: 'instructor.notFound', defaultMessage: 'There is no course with this ID.' },
  courseName: { id: 'instructor.info.name', defaultMessage: 'Course name' },
  courseKey: { id: 'instructor.info.key', defaultMessage: 'Course ID' },
  organization: { id: 'instructor.info.org', defaultMessage: 'Organization' },
  number: { id: 'instructor.info.number', defaultMessage: 'Course number' },
  start: { id: 'instructor.info.start', defaultMessage: 'Course start' },
  end: { id: 'instructor.info.end', defaultMessage: 'Course end' },
  enrollmentStart: { id: 'instructor.info.enrollmentStart', defaultMessage: 'Enrollment opens' },
  enrollmentEnd: { id: 'instructor.info.enrollmentEnd', defaultMessage: 'Enrollment closes' },
  pacing: { id: 'instructor.info.pacing', defaultMessage: 'Pacing' },
  selfPaced: { id: 'instructor.info.selfPaced', defaultMessage: 'Self-paced' },
  instructorPaced: { id: 'instructor.info.instructorPaced', defaultMessage: 'Instructor-paced' },
  enrolled: { id: 'instructor.info.enrolled', defaultMessage: 'Enrolled learners' },
  notSet: { id: 'instructor.info.notSet', defaultMessage: 'Not set' },
  viewCourse: { id: 'instructor.info.view', defaultMessage: 'View the course as a learner' },
});

const TABS = ['info', 'membership', 'student_admin', 'grades', 'data_download'] as const;
type TabKey = (typeof TABS)[number];

async function loadCourse(courseId: string, signal: AbortSignal): Promise<CourseInfo | 'forbidden' | 'missing'> {
  try {
    const info = parseCourseInfo(await request(`/api/courseware/course/${encodeURIComponent(courseId)}/`, { signal }));
    return info.isStaff ? info : 'forbidden';
  } catch (e) {
    if (e instanceof ApiError && e.status === 403) return 'forbidden';
    if (e instanceof ApiError && (e.status === 404 || e.status === 400)) return 'missing';
    throw e;
  }
}

export default function Instructor() {
  const intl = useIntl();
  const { courseId = '' } = useParams();
  const { user } = useSite();
  const [params, setParams] = useSearchParams();
  const course = useLoad((signal) => (user ? loadCourse(courseId, signal) : Promise.resolve(null)), [courseId, user?.username]);
  const info = course.status === 'done' && course.data && typeof course.data === 'object' ? course.data : null;
  usePageTitle(intl.formatMessage(messages.title, { course: info?.name ?? courseId }));
  useInteractiveMark(Boolean(info));
  const requested = params.get('tab') as TabKey | null;
  const tab: TabKey = requested && TABS.includes(requested) ? requested : 'info';

  if (user === undefined) return <Loading />;
  if (!user) return <Navigate to={`/login?next=${encodeURIComponent(`/courses/${courseId}/instructor`)}`} replace />;
  if (course.status === 'loading') return <Loading />;
  if (course.status === 'error') return <div className="container-xl"><ErrorPanel error={course.error} onRetry={course.retry} /></div>;
  if (course.data === 'forbidden') return <Forbidden courseId={courseId} />;
  if (course.data === 'missing' || !info) {
    return (
      <div className="container-xl larch-not-found">
        <h1>{intl.formatMessage(messages.heading)}</h1>
        <p className="lead">{intl.formatMessage(messages.notFound)}</p>
      </div>
    );
  }
  return (
    <div className="container-xl larch-instructor">
      <p className="larch-instructor-course mt-4 mb-1">{info.name}</p>
      <h1 className="mb-4">{intl.formatMessage(messages.heading)}</h1>
      <Tabs
        id="instructor-tabs"
        activeKey={tab}
        onSelect={(k: string | null) => setParams(k && k !== 'info' ? { tab: k } : {}, { replace: true })}
        mountOnEnter
        aria-label={intl.formatMessage(messages.tabs)}
      >
        <Tab eventKey="info" title={intl.formatMessage(messages.info)}><CourseInfoTab info={info} /></Tab>
        <Tab eventKey="membership" title={intl.formatMessage(messages.membership)}><MembershipTab courseId={courseId} /></Tab>
        <Tab eventKey="student_admin" title={intl.formatMessage(messages.studentAdmin)}><StudentAdminTab courseId={courseId} /></Tab>
        <Tab eventKey="grades" title={intl.formatMessage(messages.grades)}><GradesTab courseId={courseId} /></Tab>
        <Tab eventKey="data_download" title={intl.formatMessage(messages.data)}><DataDownloadTab courseId={courseId} /></Tab>
      </Tabs>
    </div>
  );
}

function Forbidden({ courseId }: { courseId: string }) {
  const intl = useIntl();
  return (
    <div className="container-xl larch-not-found larch-forbidden">
      <p className="larch-not-found-code" aria-hidden="true">403</p>
      <h1>{intl.formatMessage(messages.forbiddenTitle)}</h1>
      <p className="lead">{intl.formatMessage(messages.forbiddenBody)}</p>
      <Button as={Link} to={`/courses/${courseId}/about`} variant="primary">{intl.formatMessage(messages.toCourse)}</Button>
    </div>
  );
}

function CourseInfoTab({ info }: { info: CourseInfo }) {
  const intl = useIntl();
  const count = useLoad(
    async (signal) => parseGradebook(await request(`/api/grades/v1/gradebook/${encodeURIComponent(info.id)}/?page_size=1`, { signal })).total,
    [info.id],
  );
  const date = (d: string | null) => (d ? intl.formatDate(d, { dateStyle: 'long', timeStyle: 'short' }) : intl.formatMessage(messages.notSet));
  const rows: [string, string][] = [
    [intl.formatMessage(messages.courseName), info.name],
    [intl.formatMessage(messages.courseKey), info.id],
    [intl.formatMessage(messages.organization), info.org],
    [intl.formatMessage(messages.number), info.number],
    [intl.formatMessage(messages.start), date(info.start)],
    [intl.formatMessage(messages.end), date(info.end)],
    [intl.formatMessage(messages.enrollmentStart), date(info.enrollmentStart)],
    [intl.formatMessage(messages.enrollmentEnd), date(info.enrollmentEnd)],
    [intl.formatMessage(messages.pacing), intl.formatMessage(info.pacing === 'self' ? messages.selfPaced : messages.instructorPaced)],
  ];
  return (
    <section className="larch-instructor-section" aria-labelledby="info-title">
      <h2 id="info-title" className="h3">{intl.formatMessage(messages.info)}</h2>
      <dl className="larch-course-facts">
        {rows.map(([k, v], i) => (
          <div key={k} className={i === 1 ? 'larch-fact-wide' : undefined}><dt>{k}</dt><dd dir={i === 1 ? 'ltr' : undefined}>{v}</dd></div>
        ))}
        <div>
          <dt>{intl.formatMessage(messages.enrolled)}</dt>
          <dd className="larch-enrolled-count">
            {count.status === 'done' ? intl.formatNumber(count.data) : count.status === 'error' ? '—' : '…'}
          </dd>
        </div>
      </dl>
      <Link to={`/courses/${info.id}/about`}>{intl.formatMessage(messages.viewCourse)}</Link>
    </section>
  );
}
