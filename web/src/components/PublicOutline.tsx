// The about page's course outline, for courses that publish it (upstream's
// course_visibility `public_outline` / `public`): section and subsection
// titles only; nothing is shown when the course keeps its outline private.
import { defineMessages, useIntl } from 'react-intl';
import { ApiError, request } from '../api/http';
import { useLoad } from '../lib/useLoad';
import { parseOutline } from '../lib/outline';
import { courseKeyInPath } from './CourseCard';
import { ErrorPanel } from './Status';
import '../pages/account.css';

const messages = defineMessages({
  title: { id: 'outline.title', defaultMessage: 'Course outline' },
  count: { id: 'outline.count', defaultMessage: '{sections, plural, one {# section} other {# sections}} · {subsections, plural, one {# subsection} other {# subsections}}' },
  graded: { id: 'outline.graded', defaultMessage: 'graded' },
});

export function PublicOutline({ courseId, signedIn }: { courseId: string; signedIn: boolean }) {
  const intl = useIntl();
  const outline = useLoad(async (signal) => {
    try {
      return parseOutline(await request(`/api/course_home/v1/outline/${courseKeyInPath(courseId)}`, { signal }));
    } catch (e) {
      if (e instanceof ApiError) return null; // private outline (401), unknown course (404)
      throw e;
    }
  }, [courseId, signedIn]);
  if (outline.status === 'loading') return null;
  if (outline.status === 'error') return <ErrorPanel error={outline.error} onRetry={outline.retry} />;
  const sections = outline.data;
  if (!sections || sections.length === 0) return null;
  const subsections = sections.reduce((n, s) => n + s.subsections.length, 0);
  return (
    <section className="larch-outline" aria-labelledby="outline-heading">
      <h2 id="outline-heading">{intl.formatMessage(messages.title)}</h2>
      <p className="text-muted">{intl.formatMessage(messages.count, { sections: sections.length, subsections })}</p>
      <ol>
        {sections.map((s) => (
          <li key={s.id} className="larch-outline-section">
            <h3 dir="auto">{s.title}</h3>
            {s.subsections.length > 0 && (
              <ol>
                {s.subsections.map((q) => (
                  <li key={q.id} dir="auto">
                    {q.title}
                    {q.graded && <span className="badge badge-light mis-2">{intl.formatMessage(messages.graded)}</span>}
                  </li>
                ))}
              </ol>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
