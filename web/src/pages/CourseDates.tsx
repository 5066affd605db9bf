import { Badge } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import { usePageTitle } from '../components/Layout';
import { ErrorPanel, Loading } from '../components/Status';
import { request } from '../api/http';
import { useLoad } from '../lib/useLoad';
import { learningPathOf, parseDates } from '../lib/learning';
import type { CourseMeta, DateBlock } from '../lib/learning';
import { Link } from 'react-router-dom';

const messages = defineMessages({
  title: { id: 'dates.title', defaultMessage: 'Important dates' },
  pageTitle: { id: 'dates.pageTitle', defaultMessage: '{course} | Dates' },
  empty: { id: 'dates.empty', defaultMessage: 'This course has no dates yet.' },
  today: { id: 'dates.today', defaultMessage: 'Today' },
  past: { id: 'dates.past', defaultMessage: 'Past' },
  due: { id: 'dates.due', defaultMessage: 'Due next' },
  completed: { id: 'dates.completed', defaultMessage: 'Completed' },
  intro: { id: 'dates.intro', defaultMessage: 'Times are shown in your time zone ({zone}).' },
});

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

export function CourseDates({ course }: { course: CourseMeta }) {
  const intl = useIntl();
  usePageTitle(intl.formatMessage(messages.pageTitle, { course: course.title }));
  const data = useLoad(async (signal) => parseDates(await request(`/api/course_home/v1/dates/${course.id}`, { signal })), [course.id]);
  if (data.status === 'loading') return <Loading />;
  if (data.status === 'error') return <ErrorPanel error={data.error} onRetry={data.retry} />;
  const now = new Date();
  const nextDue = data.data.find((d) => new Date(d.date) > now && d.type === 'assignment-due-date');
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <div className="larch-dates">
      <h1 className="h2 mb-2">{intl.formatMessage(messages.title)}</h1>
      <p className="text-muted">{intl.formatMessage(messages.intro, { zone })}</p>
      {data.data.length === 0 ? (
        <p className="larch-empty">{intl.formatMessage(messages.empty)}</p>
      ) : (
        <ol className="list-unstyled larch-timeline">
          {data.data.map((d, i) => (
            <DateItem key={`${d.date}-${i}`} block={d} now={now} isNext={d === nextDue} />
          ))}
        </ol>
      )}
    </div>
  );
}

function DateItem({ block, now, isNext }: { block: DateBlock; now: Date; isNext: boolean }) {
  const intl = useIntl();
  const date = new Date(block.date);
  const past = date < now;
  const today = sameDay(date, now);
  const inApp = learningPathOf(block.link);
  return (
    <li className={past && !today ? 'larch-date past' : 'larch-date'}>
      <span className="larch-date-dot" aria-hidden="true" />
      <div>
        <p className="mb-1 font-weight-bold">
          <time dateTime={block.date}>
            {intl.formatDate(date, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' })}
          </time>{' '}
          {today && <Badge variant="primary">{intl.formatMessage(messages.today)}</Badge>}
          {!today && past && <Badge variant="light">{intl.formatMessage(messages.past)}</Badge>}
          {isNext && <Badge variant="warning">{intl.formatMessage(messages.due)}</Badge>}{' '}
          {block.complete && <Badge variant="success">{intl.formatMessage(messages.completed)}</Badge>}
        </p>
        <p className="mb-0">
          {block.assignmentType && <span className="text-muted">{block.assignmentType}: </span>}
          {block.link ? (
            inApp ? <Link to={inApp}>{block.title}</Link> : <a href={block.link}>{block.title}</a>
          ) : (
            block.title
          )}
        </p>
        {block.description && <p className="small text-muted mb-0">{block.description}</p>}
      </div>
    </li>
  );
}
