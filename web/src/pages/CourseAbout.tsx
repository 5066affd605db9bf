import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Alert, Button, Form, StatefulButton } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import { usePageTitle } from '../components/Layout';
import { useSite } from '../components/SiteContext';
import { ErrorPanel, Loading } from '../components/Status';
import { courseKeyInPath } from '../components/CourseCard';
import { PublicOutline } from '../components/PublicOutline';
import { ApiError, errorMessage, request } from '../api/http';
import { useLoad } from '../lib/useLoad';
import { useInteractiveMark } from '../lib/perf';
import { defaultMode, enrollState, FREE_MODES, sanitizeHtml } from '../lib/about';
import type { CourseEnrollmentDetails, CourseMode } from '../lib/about';

const messages = defineMessages({
  notFound: { id: 'about.notFound', defaultMessage: 'We could not find this course.' },
  browse: { id: 'about.browse', defaultMessage: 'Browse courses' },
  starts: { id: 'about.starts', defaultMessage: 'Starts' },
  ends: { id: 'about.ends', defaultMessage: 'Ends' },
  effort: { id: 'about.effort', defaultMessage: 'Effort' },
  pacing: { id: 'about.pacing', defaultMessage: 'Pacing' },
  selfPaced: { id: 'about.selfPaced', defaultMessage: 'Self-paced: learn on your own schedule' },
  instructorPaced: { id: 'about.instructorPaced', defaultMessage: 'Instructor-paced: follows the course schedule' },
  price: { id: 'about.price', defaultMessage: 'Price' },
  free: { id: 'about.free', defaultMessage: 'Free' },
  tba: { id: 'about.tba', defaultMessage: 'To be announced' },
  about: { id: 'about.about', defaultMessage: 'About this course' },
  facts: { id: 'about.facts', defaultMessage: 'Course details' },
  enroll: { id: 'about.enroll', defaultMessage: 'Enroll now' },
  enrolling: { id: 'about.enrolling', defaultMessage: 'Enrolling…' },
  enrolled: { id: 'about.enrolled', defaultMessage: 'You are enrolled in this course.' },
  viewCourse: { id: 'about.viewCourse', defaultMessage: 'View course' },
  signInToEnroll: { id: 'about.signInToEnroll', defaultMessage: 'Sign in to enroll' },
  registerToEnroll: { id: 'about.registerToEnroll', defaultMessage: 'Create an account' },
  inviteOnly: { id: 'about.inviteOnly', defaultMessage: 'Enrollment in this course is by invitation only.' },
  closed: { id: 'about.closed', defaultMessage: 'Enrollment in this course is closed.' },
  opens: { id: 'about.opens', defaultMessage: 'Enrollment opens on {date}.' },
  chooseMode: { id: 'about.chooseMode', defaultMessage: 'Choose how you want to take this course' },
  paidUnavailable: { id: 'about.paidUnavailable', defaultMessage: 'Payment is not available on this site yet.' },
  enrollFailed: { id: 'about.enrollFailed', defaultMessage: 'We could not enroll you. Please try again.' },
  network: { id: 'about.network', defaultMessage: 'We could not reach the server. Check your connection and try again.' },
});

interface CourseDetail {
  id: string;
  name: string;
  org: string;
  number: string;
  short_description?: string | null;
  overview?: string | null;
  start?: string | null;
  end?: string | null;
  start_display?: string | null;
  effort?: string | null;
  pacing?: string;
  is_enrolled?: boolean;
  media?: { image?: { large?: string }; course_image?: { uri?: string } };
}

interface AboutData {
  course: CourseDetail;
  details: CourseEnrollmentDetails | null;
  enrolled: boolean;
}

async function loadAbout(courseId: string, username: string | null, signal: AbortSignal): Promise<AboutData | null> {
  const key = courseKeyInPath(courseId);
  const q = username ? `?username=${encodeURIComponent(username)}` : '';
  let course: CourseDetail;
  try {
    course = (await request(`/api/courses/v1/courses/${key}/${q}`, { signal })) as CourseDetail;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 400)) return null;
    throw e;
  }
  const [details, enrollment] = await Promise.all([
    request(`/api/enrollment/v1/course/${key}`, { signal }).catch((e) => {
      if (e instanceof ApiError) return null;
      throw e;
    }) as Promise<CourseEnrollmentDetails | null>,
    username
      ? (request(`/api/enrollment/v1/enrollment/${key}`, { signal }).catch((e) => {
          if (e instanceof ApiError) return null;
          throw e;
        }) as Promise<{ is_active?: boolean } | null>)
      : Promise.resolve(null),
  ]);
  const enrolled = Boolean(enrollment?.is_active) || course.is_enrolled === true;
  return { course, details, enrolled };
}

export function formatPrice(intl: ReturnType<typeof useIntl>, mode: CourseMode, freeLabel: string): string {
  if (mode.minPrice <= 0) return freeLabel;
  try {
    return intl.formatNumber(mode.minPrice, { style: 'currency', currency: mode.currency });
  } catch {
    return `${mode.minPrice} ${mode.currency}`;
  }
}

export default function CourseAbout() {
  const intl = useIntl();
  const { courseId = '' } = useParams();
  const { user } = useSite();
  const username = user?.username ?? null;
  const data = useLoad((signal) => loadAbout(courseId, username, signal), [courseId, username, user === undefined]);
  usePageTitle(data.data?.course.name);
  useInteractiveMark(data.status === 'done');
  const overviewRef = useRef<HTMLDivElement>(null);
  // Authors' images that do not load (a missing course asset) are hidden, not shown broken.
  useEffect(() => {
    const imgs = overviewRef.current?.querySelectorAll('img') ?? [];
    const hide = (e: Event) => ((e.target as HTMLElement).style.display = 'none');
    imgs.forEach((img) => {
      if (img.complete && img.naturalWidth === 0) img.style.display = 'none';
      img.addEventListener('error', hide);
    });
    return () => imgs.forEach((img) => img.removeEventListener('error', hide));
  }, [data.data]);

  if (user === undefined || data.status === 'loading') return <Loading />;
  if (data.status === 'error') {
    return (
      <div className="container-xl">
        <ErrorPanel error={data.error} onRetry={data.retry} />
      </div>
    );
  }
  if (!data.data) {
    return (
      <div className="container-xl larch-not-found">
        <h1>{intl.formatMessage(messages.notFound)}</h1>
        <Button as={Link} to="/courses" variant="primary">
          {intl.formatMessage(messages.browse)}
        </Button>
      </div>
    );
  }
  const { course, details, enrolled } = data.data;
  const image = course.media?.image?.large || course.media?.course_image?.uri || null;
  const fmtDate = (iso?: string | null) =>
    iso ? intl.formatDate(new Date(iso), { year: 'numeric', month: 'long', day: 'numeric' }) : intl.formatMessage(messages.tba);
  const state = enrollState(details, enrolled, new Date());
  const modes = state.kind === 'open' ? state.modes : [];

  return (
    <>
      <section className="larch-about-hero">
        <div className="container-xl larch-about-hero-inner">
          <div>
            <p className="larch-card-org mb-2">
              {course.org} · {course.number}
            </p>
            <h1 dir="auto">{course.name}</h1>
            {course.short_description && <p className="lead" dir="auto">{course.short_description}</p>}
            <EnrollBox
              courseId={courseId}
              state={state}
              signedIn={Boolean(user)}
              onEnrolled={() => data.setData({ ...data.data!, enrolled: true })}
            />
          </div>
          {image && (
            <div className="larch-about-image">
              <img src={image} alt="" />
            </div>
          )}
        </div>
      </section>
      <div className="container-xl larch-about-body">
        <div>
          <article className="larch-overview" aria-label={intl.formatMessage(messages.about)}>
            {course.overview ? (
              <div ref={overviewRef} className="larch-overview-html" dir="auto" dangerouslySetInnerHTML={{ __html: sanitizeHtml(course.overview) }} />
            ) : (
              <>
                <h2>{intl.formatMessage(messages.about)}</h2>
                <p dir="auto">{course.short_description}</p>
              </>
            )}
          </article>
          <PublicOutline courseId={course.id} signedIn={Boolean(user)} />
        </div>
        <aside className="larch-facts" aria-label={intl.formatMessage(messages.facts)}>
          <dl>
            <dt>{intl.formatMessage(messages.starts)}</dt>
            <dd>{course.start_display || fmtDate(course.start)}</dd>
            <dt>{intl.formatMessage(messages.ends)}</dt>
            <dd>{fmtDate(course.end)}</dd>
            {course.effort && (
              <>
                <dt>{intl.formatMessage(messages.effort)}</dt>
                <dd>{course.effort}</dd>
              </>
            )}
            <dt>{intl.formatMessage(messages.pacing)}</dt>
            <dd>{intl.formatMessage(course.pacing === 'self' ? messages.selfPaced : messages.instructorPaced)}</dd>
            <dt>{intl.formatMessage(messages.price)}</dt>
            <dd>
              <ul className="list-unstyled mb-0">
                {(modes.length ? modes : enrollStateModes(details)).map((m) => (
                  <li key={m.slug}>
                    {m.name}: {formatPrice(intl, m, intl.formatMessage(messages.free))}
                  </li>
                ))}
              </ul>
            </dd>
          </dl>
        </aside>
      </div>
    </>
  );
}

function enrollStateModes(details: CourseEnrollmentDetails | null): CourseMode[] {
  const s = enrollState({ ...details, invite_only: false, enrollment_start: null, enrollment_end: null }, false, new Date());
  return s.kind === 'open' ? s.modes : [];
}

function EnrollBox({
  courseId,
  state,
  signedIn,
  onEnrolled,
}: {
  courseId: string;
  state: ReturnType<typeof enrollState>;
  signedIn: boolean;
  onEnrolled: () => void;
}) {
  const intl = useIntl();
  const modes = state.kind === 'open' ? state.modes : [];
  const [mode, setMode] = useState<string | null>(defaultMode(modes));
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const next = encodeURIComponent(`/courses/${courseKeyInPath(courseId)}/about`);

  if (state.kind === 'enrolled') {
    return (
      <div className="larch-enroll">
        <Alert variant="success" className="mb-3" role="status">
          {intl.formatMessage(messages.enrolled)}
        </Alert>
        <Button as={Link} to={`/learning/course/${courseKeyInPath(courseId)}/home`} variant="brand" size="lg">
          {intl.formatMessage(messages.viewCourse)}
        </Button>
      </div>
    );
  }
  if (state.kind === 'invitation-only') return <Alert variant="info">{intl.formatMessage(messages.inviteOnly)}</Alert>;
  if (state.kind === 'closed') return <Alert variant="warning">{intl.formatMessage(messages.closed)}</Alert>;
  if (state.kind === 'not-open-yet') {
    return (
      <Alert variant="info">
        {intl.formatMessage(messages.opens, { date: intl.formatDate(state.opens, { year: 'numeric', month: 'long', day: 'numeric' }) })}
      </Alert>
    );
  }
  if (!signedIn) {
    return (
      <div className="larch-enroll d-flex flex-wrap larch-gap">
        <Button as={Link} to={`/login?next=${next}`} variant="brand" size="lg">
          {intl.formatMessage(messages.signInToEnroll)}
        </Button>
        <Button as={Link} to={`/register?next=${next}`} variant="inverse-outline-primary" size="lg">
          {intl.formatMessage(messages.registerToEnroll)}
        </Button>
      </div>
    );
  }

  const enroll = async () => {
    setPending(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { course_details: { course_id: courseId } };
      if (mode) body.mode = mode;
      const result = (await request('/api/enrollment/v1/enrollment', { json: body })) as { is_active?: boolean };
      if (result?.is_active === false) throw new ApiError(400, null);
      onEnrolled();
    } catch (e) {
      setError(
        e instanceof ApiError ? errorMessage(e.body) ?? intl.formatMessage(messages.enrollFailed) : intl.formatMessage(messages.network),
      );
      setPending(false);
    }
  };
  const free = modes.filter((m) => FREE_MODES.has(m.slug));
  return (
    <div className="larch-enroll">
      {modes.length > 1 && (
        <Form.Group className="larch-modes">
          <Form.Label as="legend" className="h5">{intl.formatMessage(messages.chooseMode)}</Form.Label>
          <Form.RadioSet name="mode" value={mode ?? ''} onChange={(e: React.ChangeEvent<HTMLInputElement>) => setMode(e.target.value)}>
            {modes.map((m) => (
              <Form.Radio key={m.slug} value={m.slug} disabled={!FREE_MODES.has(m.slug)}>
                {m.name} — {formatPrice(intl, m, intl.formatMessage(messages.free))}
                {!FREE_MODES.has(m.slug) && <span className="d-block small text-muted">{intl.formatMessage(messages.paidUnavailable)}</span>}
              </Form.Radio>
            ))}
          </Form.RadioSet>
        </Form.Group>
      )}
      {error && (
        <Alert variant="danger" role="alert">
          {error}
        </Alert>
      )}
      {free.length === 0 ? (
        <Alert variant="info">{intl.formatMessage(messages.paidUnavailable)}</Alert>
      ) : (
        <StatefulButton
          variant="brand"
          size="lg"
          state={pending ? 'pending' : 'default'}
          onClick={() => void enroll()}
          labels={{ default: intl.formatMessage(messages.enroll), pending: intl.formatMessage(messages.enrolling) }}
        />
      )}
    </div>
  );
}
