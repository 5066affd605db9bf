import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, Navigate, useLocation, useParams } from 'react-router-dom';
import { Alert, Button, Icon } from '@openedx/paragon';
import {
  Article, Bookmark, BookmarkBorder, CheckCircle, ChevronLeft, ChevronRight, EditNote, MenuOpen, RadioButtonUnchecked, VideoCamera,
} from '@openedx/paragon/icons';
import { defineMessages, useIntl } from 'react-intl';
import { usePageTitle } from '../components/Layout';
import { CourseShell } from '../components/CourseShell';
import { useSite } from '../components/SiteContext';
import { ErrorPanel, Loading } from '../components/Status';
import { courseKeyInPath } from '../components/CourseCard';
import { ApiError, errorMessage, request } from '../api/http';
import { useLoad } from '../lib/useLoad';
import {
  coursewarePath, homePath, neighbours, parseOutline, parseSequence, resolveUnit, sequenceForRoute,
} from '../lib/learning';
import type { CourseMeta, CourseOutline, NavTarget, Sequence, SequenceUnit } from '../lib/learning';
import { UnitFrame } from '../components/UnitFrame';
import { TimedExam } from '../components/TimedExam';

const messages = defineMessages({
  units: { id: 'player.units', defaultMessage: 'Units of {sequence}' },
  previous: { id: 'player.previous', defaultMessage: 'Previous' },
  next: { id: 'player.next', defaultMessage: 'Next' },
  unitLabel: { id: 'player.unitLabel', defaultMessage: '{index}. {title}' },
  completed: { id: 'player.completed', defaultMessage: 'completed' },
  bookmarked: { id: 'player.bookmarked', defaultMessage: 'bookmarked' },
  bookmark: { id: 'player.bookmark', defaultMessage: 'Bookmark this page' },
  unbookmark: { id: 'player.unbookmark', defaultMessage: 'Bookmarked' },
  bookmarkFailed: { id: 'player.bookmarkFailed', defaultMessage: 'We could not change the bookmark. Please try again.' },
  breadcrumbs: { id: 'player.breadcrumbs', defaultMessage: 'You are here' },
  home: { id: 'player.home', defaultMessage: 'Course home' },
  empty: { id: 'player.empty', defaultMessage: 'There is no content here yet.' },
  hidden: { id: 'player.hidden', defaultMessage: 'This subsection is no longer available: its due date has passed.' },
  unitMissing: { id: 'player.unitMissing', defaultMessage: 'This unit is not part of this subsection.' },
  firstUnit: { id: 'player.firstUnit', defaultMessage: 'Go to the first unit' },
  end: { id: 'player.end', defaultMessage: 'You have reached the end of the course.' },
  backHome: { id: 'player.backHome', defaultMessage: 'Back to the course outline' },
  frameTitle: { id: 'player.frameTitle', defaultMessage: 'Course content: {title}' },
  unitComplete: { id: 'player.unitComplete', defaultMessage: 'Unit completed' },
  outline: { id: 'player.outline', defaultMessage: 'Course outline' },
  showOutline: { id: 'player.showOutline', defaultMessage: 'Show the course outline' },
  hideOutline: { id: 'player.hideOutline', defaultMessage: 'Hide the course outline' },
  incomplete: { id: 'player.incomplete', defaultMessage: 'not completed' },
});

/** Links that move between units say so: the new unit's title then takes the focus (as the MFE's). */
const NAV_STATE = { focusUnit: true };

export default function Courseware() {
  const { courseId = '', sequenceId = '', unitId } = useParams();
  return (
    <CourseShell courseId={courseId} endpoint="courseware" active="courseware">
      {(course) => <Player course={course} routeSequence={sequenceId} routeUnit={unitId} />}
    </CourseShell>
  );
}

type LoadedSequence = Sequence & { requested: string };

async function loadSequence(id: string, signal?: AbortSignal): Promise<LoadedSequence> {
  return { ...parseSequence(await request(`/api/courseware/sequence/${id}`, { signal })), requested: id };
}

function post(path: string, json: Record<string, unknown>): Promise<unknown> {
  return request(path, { json });
}

function handlerUrl(courseId: string, blockId: string, handler: string): string {
  return `/courses/${courseKeyInPath(courseId)}/xblock/${courseKeyInPath(blockId)}/handler/${handler}`;
}

function Player({ course, routeSequence, routeUnit }: { course: CourseMeta; routeSequence: string; routeUnit?: string }) {
  const intl = useIntl();
  const location = useLocation();
  // Kept across sequences: the sequence view is rebuilt after each one loads.
  const [sidebar, setSidebar] = useState(false);
  const outline = useLoad(async (signal) => parseOutline(await request(`/api/course_home/v1/outline/${course.id}`, { signal })), [course.id]);
  const sequenceId = sequenceForRoute(outline.data ?? null, routeSequence);
  const seq = useLoad(
    async (signal) => (sequenceId ? loadSequence(sequenceId, signal) : null),
    [sequenceId],
  );
  // Right after a route change the previous sequence is still loaded: never use it for this route.
  const sequence = seq.data && seq.data.requested === sequenceId ? seq.data : null;
  const setSeqData = seq.setData;

  // Completion changes inside the iframe (a problem submitted, a video watched,
  // an html block viewed): the unit page posts no message, so read the sequence
  // again after each of its handler calls and when the window regains focus.
  // Only the latest read may land: a read that started before a local change
  // (a bookmark) or before a later read would put back what it saw then.
  const generation = useRef(0);
  const refresh = useCallback(async () => {
    if (!sequenceId) return;
    const mine = ++generation.current;
    try {
      const fresh = await loadSequence(sequenceId);
      if (mine === generation.current) setSeqData(fresh);
    } catch {
      // Keep what is shown; the next refresh tries again.
    }
  }, [sequenceId, setSeqData]);
  useEffect(() => {
    const onFocus = () => void refresh();
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, [refresh]);

  const unit = sequence ? resolveUnit(sequence, routeUnit) : null;
  useSequencePosition(course.id, sequence, unit);

  if (!sequenceId && outline.status === 'loading') return <Loading />;
  if (!sequenceId) {
    return outline.status === 'error'
      ? <div className="container-xl"><ErrorPanel error={outline.error} onRetry={outline.retry} /></div>
      : <div className="container-xl py-4"><p className="larch-empty">{intl.formatMessage(messages.empty)}</p></div>;
  }
  if (seq.status === 'error') return <div className="container-xl"><ErrorPanel error={seq.error} onRetry={seq.retry} /></div>;
  if (seq.status === 'loading' || !sequence) return <Loading />;
  if (sequenceId !== routeSequence || (unit && routeUnit !== unit.id)) {
    return <Navigate replace to={coursewarePath(course.id, sequence.id, unit?.id)} state={location.state} />;
  }
  const order = outline.data?.sequences.map((x) => x.id) ?? [sequence.id];
  const placed = outline.data?.sequences.find((x) => x.id === sequence.id);
  return (
    <SequenceView
      course={course}
      sequence={sequence}
      unit={unit}
      sectionTitle={placed?.sectionTitle ?? null}
      order={order}
      outline={outline.data ?? null}
      sidebar={sidebar}
      onSidebar={setSidebar}
      onActivity={refresh}
      onChange={(next) => {
        generation.current += 1;
        setSeqData({ ...next, requested: sequence.requested });
        void refresh(); // what a dropped read would have brought (completion)
      }}
    />
  );
}

/** goto_position as the MFE's saveSequencePosition, and get_completion for the unit left (checkBlockCompletion). */
function useSequencePosition(courseId: string, sequence: Sequence | null, unit: SequenceUnit | null) {
  const last = useRef<{ seq: string; unit: string } | null>(null);
  const seqId = sequence?.id;
  const unitId = unit?.id;
  const savePosition = sequence?.savePosition;
  useEffect(() => {
    if (!seqId || !unitId || !sequence) return;
    const index = sequence.units.findIndex((u) => u.id === unitId);
    if (savePosition && index >= 0 && sequence.position !== index + 1) {
      post(handlerUrl(courseId, seqId, 'goto_position'), { position: index + 1 }).catch(() => {});
    }
    const left = last.current;
    last.current = { seq: seqId, unit: unitId };
    if (left && left.unit !== unitId) {
      post(handlerUrl(courseId, left.seq, 'get_completion'), { usage_key: left.unit }).catch(() => {});
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [courseId, seqId, unitId, savePosition]);
}

const TYPE_ICONS: Record<string, typeof Article> = { problem: EditNote, video: VideoCamera };

function SequenceView({
  course,
  sequence,
  unit,
  sectionTitle,
  order,
  outline,
  sidebar,
  onSidebar,
  onActivity,
  onChange,
}: {
  course: CourseMeta;
  sequence: Sequence;
  unit: SequenceUnit | null;
  sectionTitle: string | null;
  order: string[];
  outline: CourseOutline | null;
  sidebar: boolean;
  onSidebar: (open: boolean) => void;
  onActivity: () => void;
  onChange: (s: Sequence) => void;
}) {
  const intl = useIntl();
  usePageTitle(unit ? `${unit.title} | ${course.title}` : `${sequence.title} | ${course.title}`);
  const nav = useMemo(() => neighbours(order, sequence, unit?.id ?? null), [order, sequence, unit?.id]);
  const to = (t: NavTarget) => coursewarePath(course.id, t.sequenceId, t.unitId);
  const index = unit ? sequence.units.indexOf(unit) : -1;
  const location = useLocation();
  const title = useRef<HTMLHeadingElement>(null);
  const focusUnit = (location.state as { focusUnit?: boolean } | null)?.focusUnit === true;
  // After Previous/Next or a unit of the sequence bar, the unit's title takes the focus.
  useEffect(() => {
    if (focusUnit) title.current?.focus();
  }, [location.key, focusUnit, unit?.id]);
  const exam = sequence.timeLimited && course.specialExams && !course.isStaff;
  const body = (
    <>
      <nav aria-label={intl.formatMessage(messages.units, { sequence: sequence.title })} className="larch-seq-nav">
        <NavButton target={nav.prev} to={to} dir="prev" />
        <ol className="list-unstyled larch-seq-units">
          {sequence.units.map((u, i) => (
            <li key={u.id}>
              <Link
                to={coursewarePath(course.id, sequence.id, u.id)}
                state={NAV_STATE}
                className={`larch-seq-unit${u.id === unit?.id ? ' active' : ''}${u.complete ? ' complete' : ''}`}
                aria-current={u.id === unit?.id ? 'page' : undefined}
                title={u.title}
                data-unit-id={u.id}
              >
                <Icon src={TYPE_ICONS[u.type] ?? Article} size="sm" />
                {u.complete && <Icon src={CheckCircle} size="xs" className="larch-seq-check" />}
                {u.bookmarked && <Icon src={Bookmark} size="xs" className="larch-seq-bookmark" />}
                <span className="sr-only">
                  {intl.formatMessage(messages.unitLabel, { index: i + 1, title: u.title })}
                  {u.complete && `, ${intl.formatMessage(messages.completed)}`}
                  {u.bookmarked && `, ${intl.formatMessage(messages.bookmarked)}`}
                </span>
              </Link>
            </li>
          ))}
        </ol>
        <NavButton target={nav.next} to={to} dir="next" />
      </nav>
      {sequence.hiddenAfterDue ? (
        <Alert variant="info" className="mt-4">{intl.formatMessage(messages.hidden)}</Alert>
      ) : sequence.units.length === 0 ? (
        <p className="larch-empty mt-4">{intl.formatMessage(messages.empty)}</p>
      ) : !unit ? (
        <Alert
          variant="warning"
          className="mt-4"
          actions={[
            <Button key="first" as={Link} to={coursewarePath(course.id, sequence.id, 'first')}>
              {intl.formatMessage(messages.firstUnit)}
            </Button>,
          ]}
        >
          {intl.formatMessage(messages.unitMissing)}
        </Alert>
      ) : (
        <>
          <div className="larch-unit-head">
            <h1 className="h2 mb-0" ref={title} tabIndex={-1} data-testid="unit-title">{unit.title}</h1>
            {unit.complete && (
              <span className="larch-unit-complete" data-testid="unit-complete">
                <Icon src={CheckCircle} size="sm" />
                {intl.formatMessage(messages.unitComplete)}
              </span>
            )}
            <BookmarkButton
              unit={unit}
              onChange={(bookmarked) =>
                onChange({ ...sequence, units: sequence.units.map((u) => (u.id === unit.id ? { ...u, bookmarked } : u)) })
              }
            />
          </div>
          <UnitFrame
            key={unit.id}
            src={`/xblock/${courseKeyInPath(unit.id)}?view=student_view&show_title=0&show_bookmark_button=0&recheck_access=1`}
            title={intl.formatMessage(messages.frameTitle, { title: unit.title })}
            onActivity={onActivity}
          />
          <div className="larch-unit-foot" data-index={index}>
            <NavButton target={nav.prev} to={to} dir="prev" big />
            {nav.next ? (
              <NavButton target={nav.next} to={to} dir="next" big />
            ) : (
              <div className="text-end">
                <p className="mb-2">{intl.formatMessage(messages.end)}</p>
                <Button as={Link} to={homePath(course.id)} variant="outline-primary">
                  {intl.formatMessage(messages.backHome)}
                </Button>
              </div>
            )}
          </div>
        </>
      )}
    </>
  );

  return (
    <div className={`container-xl larch-player${sidebar ? ' with-sidebar' : ''}`}>
      <div className="larch-player-top">
        <Button
          variant="outline-primary"
          size="sm"
          className="larch-sidebar-toggle"
          aria-expanded={sidebar}
          aria-controls="larch-player-outline"
          onClick={() => onSidebar(!sidebar)}
        >
          <Icon src={MenuOpen} size="sm" className="me-1 larch-flip-rtl" />
          {intl.formatMessage(sidebar ? messages.hideOutline : messages.showOutline)}
        </Button>
        <nav aria-label={intl.formatMessage(messages.breadcrumbs)} className="larch-breadcrumbs small">
          <ol className="list-unstyled">
            <li><Link to={homePath(course.id)}>{intl.formatMessage(messages.home)}</Link></li>
            {sectionTitle && <li>{sectionTitle}</li>}
            <li>{sequence.title}</li>
          </ol>
        </nav>
      </div>
      <div className="larch-player-layout">
        {sidebar && outline && <OutlineSidebar courseId={course.id} outline={outline} current={sequence.id} />}
        <div className="larch-player-main">
          {sequence.bannerText && <Alert variant="info">{sequence.bannerText}</Alert>}
          {exam ? <TimedExam courseId={course.id} sequenceId={sequence.id}>{body}</TimedExam> : body}
        </div>
      </div>
    </div>
  );
}

/** The course's sections and subsections with completion, beside the unit (the MFE's outline sidebar). */
function OutlineSidebar({ courseId, outline, current }: { courseId: string; outline: CourseOutline; current: string }) {
  const intl = useIntl();
  const icon = (complete: boolean) => (
    <Icon src={complete ? CheckCircle : RadioButtonUnchecked} size="xs" className={complete ? 'larch-check done' : 'larch-check'} />
  );
  const status = (complete: boolean) => (
    <span className="sr-only">, {intl.formatMessage(complete ? messages.completed : messages.incomplete)}</span>
  );
  return (
    <nav id="larch-player-outline" className="larch-player-sidebar" aria-label={intl.formatMessage(messages.outline)}>
      <h2 className="h5">{intl.formatMessage(messages.outline)}</h2>
      <ol className="list-unstyled">
        {outline.sections.map((section) => (
          <li key={section.id} className="larch-sidebar-section">
            <span className="larch-sidebar-section-title">{icon(section.complete)}{section.title}{status(section.complete)}</span>
            <ol className="list-unstyled">
              {section.sequences.map((seq) => (
                <li key={seq.id}>
                  <Link
                    to={coursewarePath(courseId, seq.id)}
                    state={NAV_STATE}
                    aria-current={seq.id === current ? 'page' : undefined}
                    className={seq.id === current ? 'active' : undefined}
                  >
                    {icon(seq.complete)}
                    <span>{seq.title}{status(seq.complete)}</span>
                  </Link>
                </li>
              ))}
            </ol>
          </li>
        ))}
      </ol>
    </nav>
  );
}

function NavButton({ target, to, dir, big }: { target: NavTarget | null; to: (t: NavTarget) => string; dir: 'prev' | 'next'; big?: boolean }) {
  const intl = useIntl();
  const label = intl.formatMessage(dir === 'prev' ? messages.previous : messages.next);
  const icon = <Icon src={dir === 'prev' ? ChevronLeft : ChevronRight} className="larch-flip-rtl" />;
  const body = dir === 'prev' ? <>{icon}{label}</> : <>{label}{icon}</>;
  const variant = big ? (dir === 'next' ? 'primary' : 'outline-primary') : 'link';
  const className = `larch-nav-${dir}${big ? ' larch-nav-big' : ''}`;
  if (!target) {
    return (
      <Button variant={variant} disabled className={className}>
        {body}
      </Button>
    );
  }
  return (
    <Button as={Link} to={to(target)} state={NAV_STATE} variant={variant} className={className} data-testid={big ? `unit-${dir}` : undefined}>
      {body}
    </Button>
  );
}

function BookmarkButton({ unit, onChange }: { unit: SequenceUnit; onChange: (b: boolean) => void }) {
  const intl = useIntl();
  const { user } = useSite();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const toggle = async () => {
    if (!user) return;
    setPending(true);
    setError(null);
    try {
      if (unit.bookmarked) {
        await request(`/api/bookmarks/v1/bookmarks/${user.username},${courseKeyInPath(unit.id)}/`, { method: 'DELETE' });
      } else {
        await request('/api/bookmarks/v1/bookmarks/', { json: { usage_id: unit.id } });
      }
      onChange(!unit.bookmarked);
    } catch (e) {
      setError((e instanceof ApiError && errorMessage(e.body)) || intl.formatMessage(messages.bookmarkFailed));
    } finally {
      setPending(false);
    }
  };
  return (
    <div className="larch-bookmark">
      <Button
        variant={unit.bookmarked ? 'primary' : 'outline-primary'}
        size="sm"
        aria-pressed={unit.bookmarked}
        disabled={pending}
        onClick={() => void toggle()}
      >
        <Icon src={unit.bookmarked ? Bookmark : BookmarkBorder} size="sm" className="me-1" />
        {intl.formatMessage(unit.bookmarked ? messages.unbookmark : messages.bookmark)}
      </Button>
      {error && <p className="small text-danger mb-0" role="alert">{error}</p>}
    </div>
  );
}
