// Grades (the gradebook MFE's main view): the course's learners with their
// grade and each graded subsection, a username/email filter, more pages, and
// one learner's subsection override (bulk-update with one item).
import { useState } from 'react';
import { Alert, Button, Form } from '@openedx/paragon';
import { Link } from 'react-router-dom';
import { defineMessages, useIntl } from 'react-intl';
import { request } from '../../api/http';
import { ErrorPanel, Loading } from '../../components/Status';
import { useLoad } from '../../lib/useLoad';
import { parseGradebook, parseOverrideReply, parseScore, progressPath } from '../../lib/instructor';
import type { Gradebook, GradebookLearner } from '../../lib/instructor';
import { ActionError, useAction } from './shared';

const messages = defineMessages({
  title: { id: 'instructor.grades.title', defaultMessage: 'Gradebook' },
  filter: { id: 'instructor.grades.filter', defaultMessage: 'Search by username or email' },
  search: { id: 'instructor.grades.search', defaultMessage: 'Search' },
  counts: { id: 'instructor.grades.counts', defaultMessage: 'Showing {shown} of {total} learners' },
  learner: { id: 'instructor.grades.learner', defaultMessage: 'Learner' },
  grade: { id: 'instructor.grades.grade', defaultMessage: 'Total grade' },
  none: { id: 'instructor.grades.none', defaultMessage: 'No learner matches.' },
  more: { id: 'instructor.grades.more', defaultMessage: 'Show more learners' },
  edit: { id: 'instructor.grades.edit', defaultMessage: 'Override a grade of {learner}' },
  override: { id: 'instructor.grades.override', defaultMessage: 'Override a grade' },
  overrideTitle: { id: 'instructor.grades.overrideTitle', defaultMessage: 'Override a subsection grade of {learner}' },
  subsection: { id: 'instructor.grades.subsection', defaultMessage: 'Subsection' },
  earned: { id: 'instructor.grades.earned', defaultMessage: 'Points earned' },
  possible: { id: 'instructor.grades.possible', defaultMessage: 'Points possible' },
  comment: { id: 'instructor.grades.comment', defaultMessage: 'Reason (kept in the grade history)' },
  save: { id: 'instructor.grades.save', defaultMessage: 'Save override' },
  cancel: { id: 'instructor.cancel', defaultMessage: 'Cancel' },
  badScore: { id: 'instructor.grades.badScore', defaultMessage: 'Enter a number of points (0 or more).' },
  saved: { id: 'instructor.grades.saved', defaultMessage: 'The grade of {learner} is overridden.' },
  progress: { id: 'instructor.grades.progress', defaultMessage: 'Progress page' },
  notAttempted: { id: 'instructor.grades.notAttempted', defaultMessage: 'not attempted' },
});

async function loadPage(courseId: string, filter: string, cursor: string | null, signal?: AbortSignal): Promise<Gradebook> {
  const url = cursor ?? `/api/grades/v1/gradebook/${encodeURIComponent(courseId)}/?page_size=25${filter ? `&user_contains=${encodeURIComponent(filter)}` : ''}`;
  // `next` is an absolute URL on this server: keep only its path and query.
  const path = url.startsWith('http') ? new URL(url).pathname + new URL(url).search : url;
  return parseGradebook(await request(path, { signal }));
}

export default function GradesTab({ courseId }: { courseId: string }) {
  const intl = useIntl();
  const [filter, setFilter] = useState('');
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<GradebookLearner | null>(null);
  const [savedFor, setSavedFor] = useState<string | null>(null);
  const book = useLoad((signal) => loadPage(courseId, query, null, signal), [courseId, query]);
  const more = useAction(async (cursor: string) => {
    const page = await loadPage(courseId, query, cursor);
    if (book.data) book.setData({ ...page, learners: [...book.data.learners, ...page.learners] });
    return page;
  });
  const replaceLearner = (learner: GradebookLearner) => {
    if (book.data) book.setData({ ...book.data, learners: book.data.learners.map((l) => (l.userId === learner.userId ? learner : l)) });
  };
  const columns = book.data?.learners[0]?.subsections ?? [];
  return (
    <section className="larch-instructor-section" aria-labelledby="grades-title">
      <h2 id="grades-title" className="h3">{intl.formatMessage(messages.title)}</h2>
      <form className="larch-instructor-row" onSubmit={(e) => { e.preventDefault(); setQuery(filter.trim()); }} role="search">
        <Form.Group controlId="grades-filter" className="flex-grow-1">
          <Form.Label>{intl.formatMessage(messages.filter)}</Form.Label>
          <Form.Control value={filter} onChange={(e: React.ChangeEvent<HTMLInputElement>) => setFilter(e.target.value)} />
        </Form.Group>
        <div className="align-self-end mb-3"><Button type="submit" variant="outline-primary">{intl.formatMessage(messages.search)}</Button></div>
      </form>
      {book.status === 'loading' && <Loading />}
      {book.status === 'error' && <ErrorPanel error={book.error} onRetry={book.retry} />}
      {savedFor && <Alert variant="success" dismissible onClose={() => setSavedFor(null)}>{intl.formatMessage(messages.saved, { learner: savedFor })}</Alert>}
      {book.status === 'done' && (
        <>
          <p className="text-muted">{intl.formatMessage(messages.counts, { shown: book.data.learners.length, total: book.data.filtered })}</p>
          {book.data.learners.length === 0 ? <p>{intl.formatMessage(messages.none)}</p> : (
            <div className="table-responsive">
              <table className="table table-sm larch-instructor-table larch-gradebook">
                <thead>
                  <tr>
                    <th scope="col">{intl.formatMessage(messages.learner)}</th>
                    <th scope="col">{intl.formatMessage(messages.grade)}</th>
                    {columns.map((s) => <th scope="col" key={s.moduleId} title={s.name}>{s.label || s.name}</th>)}
                  </tr>
                </thead>
                <tbody>
                  {book.data.learners.map((l) => (
                    <tr key={l.userId} data-username={l.username}>
                      <th scope="row">
                        <div>{l.username}</div>
                        <div className="small">
                          <Link to={progressPath(courseId, l.userId)}>{intl.formatMessage(messages.progress)}</Link>
                          {' · '}
                          <Button variant="link" size="sm" className="p-0 align-baseline" onClick={() => { setSavedFor(null); setEditing(l); }}
                            aria-label={intl.formatMessage(messages.edit, { learner: l.username })}>
                            {intl.formatMessage(messages.override)}
                          </Button>
                        </div>
                      </th>
                      <td>{intl.formatNumber(l.percent, { style: 'percent' })}{l.letterGrade ? ` (${l.letterGrade})` : ''}</td>
                      {l.subsections.map((s) => (
                        <td key={s.moduleId}>
                          {s.attempted || s.possible > 0 ? `${intl.formatNumber(s.earned)}/${intl.formatNumber(s.possible)}` : <span className="text-muted">{intl.formatMessage(messages.notAttempted)}</span>}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {book.data.next && (
            <Button variant="outline-primary" disabled={more.status === 'busy'} onClick={() => void more.run(more.data?.next ?? book.data!.next!)}>
              {intl.formatMessage(messages.more)}
            </Button>
          )}
          {more.status === 'error' && <ActionError error={more.error} onRetry={more.retry} />}
        </>
      )}
      {editing && (
        <OverrideForm courseId={courseId} learner={editing} onClose={() => setEditing(null)}
          onSaved={(l) => { replaceLearner(l); setEditing(null); setSavedFor(l.username); }} />
      )}
    </section>
  );
}

function OverrideForm({ courseId, learner, onClose, onSaved }: {
  courseId: string; learner: GradebookLearner; onClose: () => void; onSaved: (l: GradebookLearner) => void;
}) {
  const intl = useIntl();
  const [usageId, setUsageId] = useState(learner.subsections[0]?.moduleId ?? '');
  const current = learner.subsections.find((s) => s.moduleId === usageId);
  const [earned, setEarned] = useState(current ? String(current.earned) : '');
  const [possible, setPossible] = useState(current ? String(current.possible) : '');
  const [comment, setComment] = useState('');
  const [bad, setBad] = useState({ earned: false, possible: false });
  const [refused, setRefused] = useState<string | null>(null);
  const save = useAction(async (e: number, p: number) => {
    const base = `/api/grades/v1/gradebook/${encodeURIComponent(courseId)}`;
    const item = { user_id: learner.userId, usage_id: usageId, grade: { earned_graded_override: e, possible_graded_override: p, comment } };
    let reply: unknown;
    try {
      reply = await request(`${base}/bulk-update`, { json: [item] });
    } catch (err) {
      // 422: the item failed; its reason is in the body.
      const body = (err as { status?: number; body?: unknown }).status === 422 ? (err as { body: unknown }).body : null;
      if (!body) throw err;
      reply = body;
    }
    const [result] = parseOverrideReply(reply);
    if (result && !result.success) {
      setRefused(result.reason);
      return null;
    }
    const fresh = await request(`${base}/?username=${encodeURIComponent(learner.username)}`);
    onSaved(parseGradebook(fresh).learners[0] ?? learner);
    return true;
  });
  const choose = (id: string) => {
    setUsageId(id);
    const s = learner.subsections.find((x) => x.moduleId === id);
    setEarned(s ? String(s.earned) : '');
    setPossible(s ? String(s.possible) : '');
  };
  const submit = (ev: React.FormEvent) => {
    ev.preventDefault();
    const e = parseScore(earned);
    const p = parseScore(possible);
    setBad({ earned: e === null, possible: p === null });
    setRefused(null);
    if (e !== null && p !== null) void save.run(e, p);
  };
  return (
    <form className="larch-override mt-4" onSubmit={submit} aria-labelledby="override-title">
      <h3 id="override-title" className="h4">{intl.formatMessage(messages.overrideTitle, { learner: learner.username })}</h3>
      <Form.Group controlId="override-subsection">
        <Form.Label>{intl.formatMessage(messages.subsection)}</Form.Label>
        <Form.Control as="select" value={usageId} onChange={(e: React.ChangeEvent<HTMLSelectElement>) => choose(e.target.value)} autoFocus>
          {learner.subsections.map((s) => <option key={s.moduleId} value={s.moduleId}>{s.label ? `${s.label}: ${s.name}` : s.name}</option>)}
        </Form.Control>
      </Form.Group>
      <div className="larch-instructor-row">
        <Form.Group controlId="override-earned" isInvalid={bad.earned}>
          <Form.Label>{intl.formatMessage(messages.earned)}</Form.Label>
          <Form.Control inputMode="decimal" value={earned} onChange={(e: React.ChangeEvent<HTMLInputElement>) => setEarned(e.target.value)} />
          {bad.earned && <Form.Control.Feedback type="invalid">{intl.formatMessage(messages.badScore)}</Form.Control.Feedback>}
        </Form.Group>
        <Form.Group controlId="override-possible" isInvalid={bad.possible}>
          <Form.Label>{intl.formatMessage(messages.possible)}</Form.Label>
          <Form.Control inputMode="decimal" value={possible} onChange={(e: React.ChangeEvent<HTMLInputElement>) => setPossible(e.target.value)} />
          {bad.possible && <Form.Control.Feedback type="invalid">{intl.formatMessage(messages.badScore)}</Form.Control.Feedback>}
        </Form.Group>
      </div>
      <Form.Group controlId="override-comment">
        <Form.Label>{intl.formatMessage(messages.comment)}</Form.Label>
        <Form.Control value={comment} onChange={(e: React.ChangeEvent<HTMLInputElement>) => setComment(e.target.value)} />
      </Form.Group>
      {refused && <Alert variant="danger" role="alert">{refused}</Alert>}
      {save.status === 'error' && <ActionError error={save.error} onRetry={save.retry} />}
      <div className="larch-instructor-actions mt-3">
        <Button type="submit" variant="primary" disabled={save.status === 'busy'}>{intl.formatMessage(messages.save)}</Button>
        <Button variant="tertiary" onClick={onClose}>{intl.formatMessage(messages.cancel)}</Button>
      </div>
    </form>
  );
}
