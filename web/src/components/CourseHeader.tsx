import { Link, NavLink } from 'react-router-dom';
import { defineMessages, useIntl } from 'react-intl';
import type { CourseMeta } from '../lib/learning';
import { courseAboutPath } from './CourseCard';

const messages = defineMessages({
  tabs: { id: 'course.tabs', defaultMessage: 'Course' },
});

/** The learning pages' course bar: org and number, the title, the course tabs. */
export function CourseHeader({ course, active }: { course: CourseMeta; active?: string }) {
  const intl = useIntl();
  return (
    <div className="larch-course-header">
      <div className="container-xl">
        <p className="larch-card-org small mb-0 pt-3">
          {course.org}
          {course.number && ` · ${course.number}`}
        </p>
        <div className="larch-course-title h3 mb-2">
          <Link to={courseAboutPath(course.id)}>{course.title}</Link>
        </div>
        <nav aria-label={intl.formatMessage(messages.tabs)} className="larch-course-tabs">
          {course.tabs.map((t) =>
            t.path ? (
              <NavLink
                key={t.id}
                to={t.path}
                end
                className={({ isActive }) => (isActive || active === t.id ? 'active' : undefined)}
                aria-current={active === t.id ? 'page' : undefined}
              >
                {t.title}
              </NavLink>
            ) : (
              <a key={t.id} href={t.url ?? '#'}>
                {t.title}
              </a>
            ),
          )}
        </nav>
      </div>
    </div>
  );
}
