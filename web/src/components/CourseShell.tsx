import type { ReactNode } from 'react';
import { Link, Navigate, useLocation } from 'react-router-dom';
import { Alert, Button } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import { request } from '../api/http';
import { useLoad } from '../lib/useLoad';
import { parseCourseMeta } from '../lib/learning';
import type { CourseMeta } from '../lib/learning';
import { useSite } from './SiteContext';
import { ErrorPanel, Loading } from './Status';
import { CourseHeader } from './CourseHeader';
import { courseAboutPath } from './CourseCard';

const messages = defineMessages({
  notEnrolled: { id: 'course.notEnrolled', defaultMessage: 'You are not enrolled in this course.' },
  notEnrolledHint: { id: 'course.notEnrolledHint', defaultMessage: 'Enroll from the course page to see its content.' },
  enroll: { id: 'course.enroll', defaultMessage: 'Go to the course page' },
  noAccess: { id: 'course.noAccess', defaultMessage: 'This course is not available to you yet.' },
});

/**
 * The frame of every learning page: sends anonymous visitors to sign in, loads
 * the course (`endpoint`: course_metadata or courseware/course), shows its
 * header and tabs, and the enroll prompt when the learner may not load it.
 */
export function CourseShell({
  courseId,
  endpoint,
  active,
  children,
}: {
  courseId: string;
  endpoint: 'course_home' | 'courseware';
  active?: string;
  children: (course: CourseMeta) => ReactNode;
}) {
  const intl = useIntl();
  const { user } = useSite();
  const location = useLocation();
  const url = endpoint === 'course_home'
    ? `/api/course_home/v1/course_metadata/${courseId}`
    : `/api/courseware/course/${courseId}`;
  const meta = useLoad(
    async (signal) => (user ? parseCourseMeta(courseId, await request(url, { signal })) : null),
    [url, user?.username],
  );
  if (user === undefined) return <Loading />;
  if (!user) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname)}`} replace />;
  if (meta.status === 'loading') return <Loading />;
  if (meta.status === 'error') {
    return (
      <div className="container-xl">
        <ErrorPanel error={meta.error} onRetry={meta.retry} />
      </div>
    );
  }
  const course = meta.data!;
  const blocked = !course.access.hasAccess && !course.isStaff;
  return (
    <div className="larch-learning">
      <CourseHeader course={course} active={active} />
      {blocked ? (
        <div className="container-xl py-4">
          <Alert
            variant="info"
            actions={[
              <Button key="enroll" as={Link} to={courseAboutPath(course.id)} variant="primary">
                {intl.formatMessage(messages.enroll)}
              </Button>,
            ]}
          >
            <Alert.Heading>
              {intl.formatMessage(course.access.errorCode === 'enrollment_required' ? messages.notEnrolled : messages.noAccess)}
            </Alert.Heading>
            <p className="mb-0">
              {course.access.errorCode === 'enrollment_required'
                ? intl.formatMessage(messages.notEnrolledHint)
                : course.access.message}
            </p>
          </Alert>
        </div>
      ) : (
        children(course)
      )}
    </div>
  );
}
