import { Link } from 'react-router-dom';
import { Badge, Card } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import type { CourseSummary } from '../lib/catalog';

const messages = defineMessages({
  starts: { id: 'card.starts', defaultMessage: 'Starts {date}' },
  started: { id: 'card.started', defaultMessage: 'Started {date}' },
  selfPaced: { id: 'card.selfPaced', defaultMessage: 'Self-paced' },
});

/** A course key in a path: `course-v1:Org+Num+Run` stays readable (`:` and `+` are path-safe). */
export function courseKeyInPath(courseId: string): string {
  return courseId.replace(/[^A-Za-z0-9:+._~@-]/g, (c) => encodeURIComponent(c));
}

export function courseAboutPath(courseId: string): string {
  return `/courses/${courseKeyInPath(courseId)}/about`;
}

export function CourseCard({ course }: { course: CourseSummary }) {
  const intl = useIntl();
  const start = course.start ? new Date(course.start) : null;
  const dateText =
    start && !Number.isNaN(start.getTime())
      ? intl.formatMessage(start.getTime() > Date.now() ? messages.starts : messages.started, {
          date: intl.formatDate(start, { year: 'numeric', month: 'short', day: 'numeric' }),
        })
      : null;
  return (
    <Card className="larch-course-card h-100">
      <div className="larch-card-image" aria-hidden="true">
        {course.imageUrl ? <img src={course.imageUrl} alt="" loading="lazy" /> : <span>{course.org}</span>}
      </div>
      <Card.Section className="larch-card-body">
        <p className="larch-card-org small mb-1">
          {course.org} · {course.number}
        </p>
        <h3 className="h4 larch-card-title" dir="auto">
          <Link to={courseAboutPath(course.id)} className="stretched-link">
            {course.name}
          </Link>
        </h3>
        {course.shortDescription && <p className="small larch-card-desc" dir="auto">{course.shortDescription}</p>}
      </Card.Section>
      <Card.Footer className="larch-card-footer small">
        {dateText && <span>{dateText}</span>}
        {course.selfPaced && <Badge variant="light">{intl.formatMessage(messages.selfPaced)}</Badge>}
      </Card.Footer>
    </Card>
  );
}
