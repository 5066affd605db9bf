import { Link } from 'react-router-dom';
import { Badge, Card } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import { usePageTitle } from '../components/Layout';
import { ErrorPanel, Loading } from '../components/Status';
import { request } from '../api/http';
import { useLoad } from '../lib/useLoad';
import {
  formatPoints, gradedTotals, learningPathOf, parseProgress, passingCutoff, pointsToPass, toPercent,
} from '../lib/learning';
import type { CourseMeta, Progress, SubsectionScore } from '../lib/learning';

const messages = defineMessages({
  title: { id: 'progress.title', defaultMessage: 'Your progress' },
  pageTitle: { id: 'progress.pageTitle', defaultMessage: '{course} | Progress' },
  grade: { id: 'progress.grade', defaultMessage: 'Current grade' },
  passing: { id: 'progress.passing', defaultMessage: 'Passing' },
  notPassing: { id: 'progress.notPassing', defaultMessage: 'Not passing yet' },
  toPass: { id: 'progress.toPass', defaultMessage: 'A grade of {cutoff}% is needed to pass: {points} more percentage points.' },
  passed: { id: 'progress.passed', defaultMessage: 'You have reached the passing grade of {cutoff}%.' },
  cutoffLabel: { id: 'progress.cutoffLabel', defaultMessage: 'Pass {cutoff}%' },
  letter: { id: 'progress.letter', defaultMessage: 'Grade {letter}' },
  gradeBar: { id: 'progress.gradeBar', defaultMessage: 'Your grade is {percent}%; passing is {cutoff}%' },
  summary: { id: 'progress.summary', defaultMessage: 'Grade summary' },
  summaryHint: { id: 'progress.summaryHint', defaultMessage: 'Each assignment type counts for its weight in your course grade.' },
  type: { id: 'progress.type', defaultMessage: 'Assignment type' },
  weight: { id: 'progress.weight', defaultMessage: 'Weight' },
  score: { id: 'progress.score', defaultMessage: 'Your score' },
  weighted: { id: 'progress.weighted', defaultMessage: 'Weighted grade' },
  dropped: { id: 'progress.dropped', defaultMessage: '{count, plural, one {the lowest score is dropped} other {the lowest # scores are dropped}}' },
  total: { id: 'progress.total', defaultMessage: 'Total' },
  completion: { id: 'progress.completion', defaultMessage: 'Course completion' },
  completionLine: { id: 'progress.completionLine', defaultMessage: '{complete} of {total} units completed' },
  detailed: { id: 'progress.detailed', defaultMessage: 'Detailed grades' },
  detailedHint: { id: 'progress.detailedHint', defaultMessage: 'Points earned on graded subsections: {earned} of {possible}.' },
  points: { id: 'progress.points', defaultMessage: '{earned}/{possible}' },
  pointsLabel: { id: 'progress.pointsLabel', defaultMessage: '{earned} of {possible} points' },
  problemScores: { id: 'progress.problemScores', defaultMessage: 'Problem scores:' },
  practice: { id: 'progress.practice', defaultMessage: 'Practice scores:' },
  noGraded: { id: 'progress.noGraded', defaultMessage: 'This course has no graded subsections yet.' },
  hidden: { id: 'progress.hidden', defaultMessage: 'Scores are hidden for now.' },
});

export function CourseProgress({ course }: { course: CourseMeta }) {
  const intl = useIntl();
  usePageTitle(intl.formatMessage(messages.pageTitle, { course: course.title }));
  const data = useLoad(async (signal) => parseProgress(await request(`/api/course_home/v1/progress/${course.id}`, { signal })), [course.id]);
  if (data.status === 'loading') return <Loading />;
  if (data.status === 'error') return <ErrorPanel error={data.error} onRetry={data.retry} />;
  const p = data.data;
  return (
    <div className="larch-progress">
      <h1 className="h2 mb-4">{intl.formatMessage(messages.title)}</h1>
      <div className="larch-progress-top">
        <GradeCard progress={p} />
        <CompletionCard progress={p} />
      </div>
      {!p.graphDisabled && p.assignmentTypes.length > 0 && <GradeSummary progress={p} />}
      <DetailedGrades progress={p} />
    </div>
  );
}

function GradeCard({ progress: p }: { progress: Progress }) {
  const intl = useIntl();
  const percent = toPercent(p.percent);
  const pass = passingCutoff(p.cutoffs);
  const cutoff = pass === null ? null : toPercent(pass);
  return (
    <Card className="larch-grade-card">
      <Card.Section>
        <h2 className="h4">{intl.formatMessage(messages.grade)}</h2>
        <p className="larch-grade-value mb-1" data-testid="current-grade">
          {percent}%
          {p.letter && <span className="h5 ms-2 larch-grade-letter">{intl.formatMessage(messages.letter, { letter: p.letter })}</span>}
        </p>
        <Badge variant={p.isPassing ? 'success' : 'light'} className="mb-3">
          {intl.formatMessage(p.isPassing ? messages.passing : messages.notPassing)}
        </Badge>
        <div
          className="larch-grade-bar"
          role="img"
          aria-label={intl.formatMessage(messages.gradeBar, { percent, cutoff: cutoff ?? 0 })}
        >
          <span className={p.isPassing ? 'fill pass' : 'fill'} style={{ inlineSize: `${percent}%` }} />
          {cutoff !== null && (
            <span className="cutoff" style={{ insetInlineStart: `${cutoff}%` }}>
              <span className="cutoff-label">{intl.formatMessage(messages.cutoffLabel, { cutoff })}</span>
            </span>
          )}
        </div>
        {cutoff !== null && (
          <p className="small mb-0 mt-4">
            {p.isPassing
              ? intl.formatMessage(messages.passed, { cutoff })
              : intl.formatMessage(messages.toPass, { cutoff, points: pointsToPass(p.percent, p.cutoffs) })}
          </p>
        )}
      </Card.Section>
    </Card>
  );
}

function CompletionCard({ progress: p }: { progress: Progress }) {
  const intl = useIntl();
  const total = p.completion.complete + p.completion.incomplete + p.completion.locked;
  const percent = total ? Math.round((p.completion.complete * 100) / total) : 0;
  return (
    <Card className="larch-completion-card">
      <Card.Section>
        <h2 className="h4">{intl.formatMessage(messages.completion)}</h2>
        <div className="larch-donut" style={{ ['--pct' as string]: `${percent}` }} aria-hidden="true">
          <span>{percent}%</span>
        </div>
        <p className="small mb-0 mt-2" data-testid="completion-line">
          {intl.formatMessage(messages.completionLine, { complete: p.completion.complete, total })}
        </p>
      </Card.Section>
    </Card>
  );
}

function GradeSummary({ progress: p }: { progress: Progress }) {
  const intl = useIntl();
  const totalWeighted = p.assignmentTypes.reduce((sum, t) => sum + t.weighted, 0);
  return (
    <section className="mt-5" aria-labelledby="grade-summary">
      <h2 className="h3" id="grade-summary">{intl.formatMessage(messages.summary)}</h2>
      <p className="text-muted">{intl.formatMessage(messages.summaryHint)}</p>
      <table className="table larch-grade-table">
        <thead>
          <tr>
            <th scope="col">{intl.formatMessage(messages.type)}</th>
            <th scope="col">{intl.formatMessage(messages.weight)}</th>
            <th scope="col" className="larch-grade-table-bar">{intl.formatMessage(messages.score)}</th>
            <th scope="col">{intl.formatMessage(messages.weighted)}</th>
          </tr>
        </thead>
        <tbody>
          {p.assignmentTypes.map((t) => (
            <tr key={t.type}>
              <th scope="row">
                {t.type}
                {t.numDroppable > 0 && (
                  <span className="d-block small text-muted font-weight-normal">
                    {intl.formatMessage(messages.dropped, { count: t.numDroppable })}
                  </span>
                )}
              </th>
              <td>{toPercent(t.weight)}%</td>
              <td className="larch-grade-table-bar">
                <span className="larch-type-bar" aria-hidden="true">
                  <span style={{ inlineSize: `${toPercent(t.average)}%` }} />
                </span>
                <span>{toPercent(t.average)}%</span>
              </td>
              <td>{toPercent(t.weighted)}%</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={3}>{intl.formatMessage(messages.total)}</th>
            <td className="font-weight-bold">{toPercent(totalWeighted)}%</td>
          </tr>
        </tfoot>
      </table>
    </section>
  );
}

function DetailedGrades({ progress: p }: { progress: Progress }) {
  const intl = useIntl();
  const totals = gradedTotals(p);
  const sections = p.sections
    .map((sec) => ({ ...sec, subsections: sec.subsections.filter((x) => x.possible > 0 || x.graded) }))
    .filter((sec) => sec.subsections.length > 0);
  return (
    <section className="mt-5" aria-labelledby="detailed-grades">
      <h2 className="h3" id="detailed-grades">{intl.formatMessage(messages.detailed)}</h2>
      {sections.length === 0 ? (
        <p>{intl.formatMessage(messages.noGraded)}</p>
      ) : (
        <>
          <p className="text-muted">
            {intl.formatMessage(messages.detailedHint, { earned: formatPoints(totals.earned), possible: formatPoints(totals.possible) })}
          </p>
          {sections.map((sec) => (
            <div key={sec.title} className="mb-4">
              <h3 className="h5">{sec.title}</h3>
              <ul className="list-unstyled larch-scores">
                {sec.subsections.map((sub) => (
                  <SubsectionRow key={sub.id} sub={sub} />
                ))}
              </ul>
            </div>
          ))}
        </>
      )}
    </section>
  );
}

function SubsectionRow({ sub }: { sub: SubsectionScore }) {
  const intl = useIntl();
  const path = learningPathOf(sub.url);
  const pts = { earned: formatPoints(sub.earned), possible: formatPoints(sub.possible) };
  return (
    <li className="larch-score-row" data-testid="subsection-score">
      <div className="d-flex flex-wrap justify-content-between larch-gap">
        <span>
          {path ? <Link to={path}>{sub.title}</Link> : sub.url ? <a href={sub.url}>{sub.title}</a> : sub.title}
          {sub.assignmentType && <span className="small text-muted"> · {sub.assignmentType}</span>}
        </span>
        {sub.showGrades ? (
          <span className="font-weight-bold">
            <span aria-hidden="true">{intl.formatMessage(messages.points, pts)}</span>
            <span className="sr-only">{intl.formatMessage(messages.pointsLabel, pts)}</span>
          </span>
        ) : (
          <span className="text-muted small">{intl.formatMessage(messages.hidden)}</span>
        )}
      </div>
      {sub.showGrades && sub.problems.length > 0 && (
        <p className="small text-muted mb-0">
          {intl.formatMessage(sub.graded ? messages.problemScores : messages.practice)}{' '}
          {sub.problems.map((x, i) => (
            <span key={i} className="larch-problem-score">
              {formatPoints(x.earned)}/{formatPoints(x.possible)}
            </span>
          ))}
        </p>
      )}
    </li>
  );
}
