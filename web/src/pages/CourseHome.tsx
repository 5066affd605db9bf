import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Badge, Button, Card, Icon } from '@openedx/paragon';
import { CheckCircle, ExpandLess, ExpandMore, RadioButtonUnchecked } from '@openedx/paragon/icons';
import { defineMessages, useIntl } from 'react-intl';
import { usePageTitle } from '../components/Layout';
import { CourseShell } from '../components/CourseShell';
import { useSite } from '../components/SiteContext';
import { ErrorPanel, Loading } from '../components/Status';
import { request } from '../api/http';
import { useLoad } from '../lib/useLoad';
import type { LoadState } from '../lib/useLoad';
import { useInteractiveMark } from '../lib/perf';
import { sanitizeHtml } from '../lib/about';
import { coursewarePath, outlineCompletion, parseOutline } from '../lib/learning';
import type { CourseMeta, CourseOutline, OutlineSection } from '../lib/learning';
import { CourseDates } from './CourseDates';
import { CourseProgress } from './CourseProgress';

const messages = defineMessages({
  outline: { id: 'home.outline', defaultMessage: 'Course outline' },
  resume: { id: 'home.resume', defaultMessage: 'Resume course' },
  resumeHere: { id: 'home.resumeHere', defaultMessage: 'Last visited' },
  start: { id: 'home.start', defaultMessage: 'Start course' },
  welcome: { id: 'home.welcome', defaultMessage: 'Welcome' },
  handouts: { id: 'home.handouts', defaultMessage: 'Course handouts' },
  expandAll: { id: 'home.expandAll', defaultMessage: 'Expand all' },
  collapseAll: { id: 'home.collapseAll', defaultMessage: 'Collapse all' },
  complete: { id: 'home.complete', defaultMessage: 'Completed' },
  incomplete: { id: 'home.incomplete', defaultMessage: 'Not completed' },
  due: { id: 'home.due', defaultMessage: 'Due {date}' },
  progressLine: { id: 'home.progressLine', defaultMessage: '{complete} of {total} subsections completed' },
  empty: { id: 'home.empty', defaultMessage: 'This course has no content yet.' },
  pageTitle: { id: 'home.pageTitle', defaultMessage: '{course} | Course home' },
  sectionCount: { id: 'home.sectionCount', defaultMessage: '{count, plural, one {# subsection} other {# subsections}}' },
});

export type HomeTab = 'home' | 'dates' | 'progress';

export default function CourseHome({ tab }: { tab: HomeTab }) {
  const { courseId = '' } = useParams();
  const active = tab === 'home' ? 'courseware' : tab;
  // Started here, outside the shell, so it runs alongside the shell's course_metadata request.
  const { user } = useSite();
  const home = useLoad(
    async (signal) => (tab === 'home' && user ? loadHome(courseId, signal) : null),
    [courseId, tab === 'home', user?.username],
  );
  return (
    <CourseShell courseId={courseId} endpoint="course_home" active={active}>
      {(course) => (
        <div className="container-xl py-4">
          {tab === 'home' && <OutlineTab course={course} data={home} />}
          {tab === 'dates' && <CourseDates course={course} />}
          {tab === 'progress' && <CourseProgress course={course} />}
        </div>
      )}
    </CourseShell>
  );
}

/** The first sequence and unit to resume into: the resume API, else the outline's first sequence. */
interface Resume {
  path: string;
  sequenceId: string;
}

interface HomeData {
  outline: CourseOutline;
  resume: Resume | null;
}

/** The resume API's block, or null (a failure only loses the Resume button's target). */
async function readResume(courseId: string, signal: AbortSignal): Promise<Resume | null> {
  try {
    const r = (await request(`/api/courseware/resume/${courseId}`, { signal })) as Record<string, unknown>;
    const seq = typeof r?.section_id === 'string' ? r.section_id : null;
    const unit = typeof r?.unit_id === 'string' ? r.unit_id : null;
    return seq ? { path: coursewarePath(courseId, seq, unit), sequenceId: seq } : null;
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    return null;
  }
}

/** The outline and the resume block, read in parallel (and with the shell's course metadata). */
async function loadHome(courseId: string, signal: AbortSignal): Promise<HomeData> {
  const [body, resumed] = await Promise.all([
    request(`/api/course_home/v1/outline/${courseId}`, { signal }),
    readResume(courseId, signal),
  ]);
  const outline = parseOutline(body);
  const first = outline.sequences[0];
  const resume = (outline.hasVisited ? resumed : null) ?? (first ? { path: coursewarePath(courseId, first.id), sequenceId: first.id } : null);
  return { outline, resume };
}

function OutlineTab({ course, data }: { course: CourseMeta; data: LoadState<HomeData | null> & { retry: () => void } }) {
  const intl = useIntl();
  usePageTitle(intl.formatMessage(messages.pageTitle, { course: course.title }));
  const [open, setOpen] = useState<Set<string> | null>(null);
  // The browser speed bench times the course home to this mark.
  useInteractiveMark(data.status === 'done');

  if (data.status === 'loading' || (data.status === 'done' && !data.data)) return <Loading />;
  if (data.status === 'error') return <ErrorPanel error={data.error} onRetry={data.retry} />;
  const { outline, resume } = data.data!;
  // The section to resume in starts open (as the MFE's), else the first one with work left.
  const resumeSection = outline.hasVisited ? outline.sequences.find((x) => x.id === resume?.sequenceId)?.sectionId : undefined;
  const firstOpen = resumeSection ?? outline.sections.find((x) => !x.complete)?.id ?? outline.sections[0]?.id;
  const expanded = open ?? new Set(firstOpen ? [firstOpen] : []);
  const toggle = (id: string) => {
    const next = new Set(expanded);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setOpen(next);
  };
  const allOpen = outline.sections.length > 0 && outline.sections.every((x) => expanded.has(x.id));
  const done = outlineCompletion(outline);

  return (
    <div className="larch-home">
      <div className="larch-home-main">
        <div className="d-flex flex-wrap align-items-center justify-content-between larch-gap mb-3">
          <h1 className="h2 mb-0">{intl.formatMessage(messages.outline)}</h1>
          {resume && (
            <Button as={Link} to={resume.path} variant="brand" size="lg" className="larch-resume">
              {intl.formatMessage(outline.hasVisited ? messages.resume : messages.start)}
            </Button>
          )}
        </div>
        {done.total > 0 && (
          <div className="mb-4">
            <p className="small mb-1">{intl.formatMessage(messages.progressLine, done)}</p>
            <span className="larch-outline-bar" aria-hidden="true">
              <span style={{ inlineSize: `${Math.round((done.complete * 100) / done.total)}%` }} />
            </span>
          </div>
        )}
        {outline.welcomeHtml && (
          <Card className="mb-4">
            <Card.Section>
              <h2 className="h4">{intl.formatMessage(messages.welcome)}</h2>
              <div className="larch-html" dangerouslySetInnerHTML={{ __html: sanitizeHtml(outline.welcomeHtml) }} />
            </Card.Section>
          </Card>
        )}
        {outline.sections.length === 0 ? (
          <p className="larch-empty">{intl.formatMessage(messages.empty)}</p>
        ) : (
          <>
            <div className="d-flex justify-content-end mb-2">
              <Button variant="link" size="sm" onClick={() => setOpen(allOpen ? new Set() : new Set(outline.sections.map((x) => x.id)))}>
                {intl.formatMessage(allOpen ? messages.collapseAll : messages.expandAll)}
              </Button>
            </div>
            <ol className="list-unstyled larch-outline">
              {outline.sections.map((section) => (
                <OutlineSectionItem
                  key={section.id}
                  courseId={course.id}
                  section={section}
                  open={expanded.has(section.id)}
                  resumeId={outline.hasVisited ? resume?.sequenceId ?? null : null}
                  onToggle={() => toggle(section.id)}
                />
              ))}
            </ol>
          </>
        )}
      </div>
      {outline.handoutsHtml && (
        <aside className="larch-home-side" aria-labelledby="larch-handouts">
          <Card>
            <Card.Section>
              <h2 className="h4" id="larch-handouts">{intl.formatMessage(messages.handouts)}</h2>
              <div className="larch-html larch-handouts" dangerouslySetInnerHTML={{ __html: sanitizeHtml(outline.handoutsHtml) }} />
            </Card.Section>
          </Card>
        </aside>
      )}
    </div>
  );
}

function CompletionIcon({ complete }: { complete: boolean }) {
  const intl = useIntl();
  return (
    <span className={complete ? 'larch-check done' : 'larch-check'}>
      <Icon src={complete ? CheckCircle : RadioButtonUnchecked} size="sm" aria-hidden />
      <span className="sr-only">{intl.formatMessage(complete ? messages.complete : messages.incomplete)}</span>
    </span>
  );
}

function OutlineSectionItem({
  courseId,
  section,
  open,
  resumeId,
  onToggle,
}: {
  courseId: string;
  section: OutlineSection;
  open: boolean;
  resumeId: string | null;
  onToggle: () => void;
}) {
  const intl = useIntl();
  const listId = `outline-${section.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return (
    <li className="larch-outline-section">
      <h2 className="h4 mb-0">
        <button type="button" className="larch-outline-toggle" aria-expanded={open} aria-controls={listId} onClick={onToggle}>
          <CompletionIcon complete={section.complete} />
          <span className="flex-grow-1">{section.title}</span>
          <span className="small text-muted larch-outline-count">
            {intl.formatMessage(messages.sectionCount, { count: section.sequences.length })}
          </span>
          <Icon src={open ? ExpandLess : ExpandMore} aria-hidden />
        </button>
      </h2>
      <ol id={listId} className="list-unstyled larch-outline-sequences" hidden={!open}>
        {section.sequences.map((seq) => (
          <li key={seq.id}>
            <CompletionIcon complete={seq.complete} />
            <div>
              <Link to={coursewarePath(courseId, seq.id)}>{seq.title}</Link>
              {seq.id === resumeId && <Badge variant="info" className="larch-resume-badge">{intl.formatMessage(messages.resumeHere)}</Badge>}
              {(seq.format || seq.due) && (
                <p className="small text-muted mb-0">
                  {seq.format}
                  {seq.format && seq.due && ' · '}
                  {seq.due &&
                    intl.formatMessage(messages.due, {
                      date: intl.formatDate(new Date(seq.due), { year: 'numeric', month: 'short', day: 'numeric' }),
                    })}
                </p>
              )}
            </div>
          </li>
        ))}
      </ol>
    </li>
  );
}
