// Student admin (upstream's student_admin section): look a learner up and open
// their progress page; reset, delete or rescore one learner's problem
// (reset_student_attempts, rescore_problem); the same for all learners as
// instructor tasks, with the pending tasks list.
import { useState } from 'react';
import { Alert, Button, Form } from '@openedx/paragon';
import { Link } from 'react-router-dom';
import { defineMessages, useIntl } from 'react-intl';
import { request } from '../../api/http';
import { parseGradebook, parseProblems, parseProgressUrl, progressPath } from '../../lib/instructor';
import type { ProblemChoice } from '../../lib/instructor';
import { useLoad } from '../../lib/useLoad';
import { ActionError, TaskTable, isNotFound, postInstructor, useAction, useInstructorTasks } from './shared';

const messages = defineMessages({
  lookupTitle: { id: 'instructor.lookup.title', defaultMessage: 'Learner progress' },
  learner: { id: 'instructor.lookup.learner', defaultMessage: 'Learner’s email address or username' },
  lookup: { id: 'instructor.lookup.go', defaultMessage: 'Find progress page' },
  openProgress: { id: 'instructor.lookup.open', defaultMessage: 'Open the progress page of {learner}' },
  noLearner: { id: 'instructor.lookup.none', defaultMessage: 'No enrolled learner matches {learner}.' },
  required: { id: 'instructor.required', defaultMessage: 'This field is required.' },
  oneTitle: { id: 'instructor.one.title', defaultMessage: 'Adjust one learner’s problem' },
  problem: { id: 'instructor.problem', defaultMessage: 'Problem location' },
  problemHelp: { id: 'instructor.problemHelp', defaultMessage: 'Choose a problem of the course, or paste its usage key (block-v1:…+type@problem+block@…).' },
  onlyIfHigher: { id: 'instructor.onlyIfHigher', defaultMessage: 'Only keep a higher score' },
  reset: { id: 'instructor.one.reset', defaultMessage: 'Reset attempts' },
  rescore: { id: 'instructor.one.rescore', defaultMessage: 'Rescore' },
  delete: { id: 'instructor.one.delete', defaultMessage: 'Delete learner’s state' },
  confirmDelete: {
    id: 'instructor.one.confirmDelete',
    defaultMessage: 'Delete the state of this problem for {learner}? Their answers and score are removed; this cannot be undone.',
  },
  confirm: { id: 'instructor.confirm', defaultMessage: 'Delete state' },
  cancel: { id: 'instructor.cancel', defaultMessage: 'Cancel' },
  resetDone: { id: 'instructor.one.resetDone', defaultMessage: 'The attempts of {learner} are reset.' },
  deleteDone: { id: 'instructor.one.deleteDone', defaultMessage: 'The state of {learner} for this problem is deleted.' },
  rescoreDone: { id: 'instructor.one.rescoreDone', defaultMessage: 'The problem of {learner} is rescored.' },
  allTitle: { id: 'instructor.all.title', defaultMessage: 'Adjust a problem for all learners' },
  resetAll: { id: 'instructor.all.reset', defaultMessage: 'Reset attempts for all learners' },
  rescoreAll: { id: 'instructor.all.rescore', defaultMessage: 'Rescore for all learners' },
  taskStarted: { id: 'instructor.all.started', defaultMessage: 'The task has started. Its progress is shown under Pending tasks.' },
});

type ProblemAction = 'reset' | 'delete' | 'rescore';

export default function StudentAdminTab({ courseId }: { courseId: string }) {
  const [kick, setKick] = useState(0);
  const tasks = useInstructorTasks(courseId, kick);
  // The course's problems for the pickers (best effort: without them the fields take any key).
  const problems = useLoad(async (signal) => {
    const q = new URLSearchParams({ course_id: courseId, all_blocks: 'true', depth: 'all', block_types_filter: 'problem', return_type: 'list', requested_fields: 'display_name' });
    try {
      return parseProblems(await request(`/api/courses/v2/blocks/?${q}`, { signal }));
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      return [];
    }
  }, [courseId]);
  return (
    <>
      <ProblemList problems={problems.data ?? []} />
      <LearnerLookup courseId={courseId} />
      <OneLearner courseId={courseId} />
      <AllLearners courseId={courseId} onTask={() => setKick((k) => k + 1)} />
      <TaskTable tasks={tasks.tasks} available={tasks.available} />
    </>
  );
}

/** get_student_progress_url, or on servers without it the gradebook's user id. */
async function findProgressUrl(courseId: string, learner: string): Promise<string | null> {
  try {
    return parseProgressUrl(await postInstructor(courseId, 'get_student_progress_url', { unique_student_identifier: learner }));
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  const q = learner.includes('@') ? `user_contains=${encodeURIComponent(learner)}` : `username=${encodeURIComponent(learner)}`;
  try {
    const book = parseGradebook(await request(`/api/grades/v1/gradebook/${encodeURIComponent(courseId)}/?${q}`));
    const match = book.learners.find((l) => l.username === learner || l.email.toLowerCase() === learner.toLowerCase()) ??
      (learner.includes('@') ? undefined : book.learners[0]);
    return match ? progressPath(courseId, match.userId) : null;
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}

function LearnerLookup({ courseId }: { courseId: string }) {
  const intl = useIntl();
  const [learner, setLearner] = useState('');
  const [empty, setEmpty] = useState(false);
  const action = useAction((who: string) => findProgressUrl(courseId, who));
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const who = learner.trim();
    setEmpty(!who);
    if (who) void action.run(who);
  };
  return (
    <section className="larch-instructor-section" aria-labelledby="lookup-title">
      <h2 id="lookup-title" className="h3">{intl.formatMessage(messages.lookupTitle)}</h2>
      <form onSubmit={submit} className="larch-instructor-row">
        <Form.Group controlId="lookup-learner" isInvalid={empty} className="flex-grow-1">
          <Form.Label>{intl.formatMessage(messages.learner)}</Form.Label>
          <Form.Control value={learner} onChange={(e: React.ChangeEvent<HTMLInputElement>) => setLearner(e.target.value)} />
          {empty && <Form.Control.Feedback type="invalid">{intl.formatMessage(messages.required)}</Form.Control.Feedback>}
        </Form.Group>
        <div className="larch-instructor-actions align-self-end mb-3">
          <Button type="submit" variant="primary" disabled={action.status === 'busy'}>{intl.formatMessage(messages.lookup)}</Button>
        </div>
      </form>
      {action.status === 'error' && <ActionError error={action.error} onRetry={action.retry} />}
      <div aria-live="polite">
        {action.status === 'done' && (action.data ? (
          <Link to={action.data} className="larch-progress-link">
            {intl.formatMessage(messages.openProgress, { learner: learner.trim() })}
          </Link>
        ) : (
          <p className="text-danger">{intl.formatMessage(messages.noLearner, { learner: learner.trim() })}</p>
        ))}
      </div>
    </section>
  );
}

function OneLearner({ courseId }: { courseId: string }) {
  const intl = useIntl();
  const [learner, setLearner] = useState('');
  const [problem, setProblem] = useState('');
  const [onlyIfHigher, setOnlyIfHigher] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [missing, setMissing] = useState<{ learner: boolean; problem: boolean }>({ learner: false, problem: false });
  const action = useAction(async (kind: ProblemAction, who: string, key: string) => {
    const form = { problem_to_reset: key, unique_student_identifier: who };
    if (kind === 'rescore') await postInstructor(courseId, 'rescore_problem', { ...form, only_if_higher: onlyIfHigher });
    else await postInstructor(courseId, 'reset_student_attempts', { ...form, delete_module: kind === 'delete' ? true : undefined });
    return { kind, who };
  });
  const valid = () => {
    const m = { learner: !learner.trim(), problem: !problem.trim() };
    setMissing(m);
    return !m.learner && !m.problem;
  };
  const run = (kind: ProblemAction) => {
    if (!valid()) return;
    if (kind === 'delete' && !confirming) {
      setConfirming(true);
      return;
    }
    setConfirming(false);
    void action.run(kind, learner.trim(), problem.trim());
  };
  const doneText = action.status === 'done'
    ? intl.formatMessage(action.data.kind === 'reset' ? messages.resetDone : action.data.kind === 'delete' ? messages.deleteDone : messages.rescoreDone, { learner: action.data.who })
    : null;
  return (
    <section className="larch-instructor-section" aria-labelledby="one-title">
      <h2 id="one-title" className="h3">{intl.formatMessage(messages.oneTitle)}</h2>
      <div className="larch-instructor-row">
        <Form.Group controlId="one-learner" isInvalid={missing.learner} className="flex-grow-1">
          <Form.Label>{intl.formatMessage(messages.learner)}</Form.Label>
          <Form.Control value={learner} onChange={(e: React.ChangeEvent<HTMLInputElement>) => setLearner(e.target.value)} />
          {missing.learner && <Form.Control.Feedback type="invalid">{intl.formatMessage(messages.required)}</Form.Control.Feedback>}
        </Form.Group>
      </div>
      <ProblemField id="one-problem" value={problem} onChange={setProblem} missing={missing.problem} />
      <Form.Checkbox checked={onlyIfHigher} onChange={(e: React.ChangeEvent<HTMLInputElement>) => setOnlyIfHigher(e.target.checked)}>
        {intl.formatMessage(messages.onlyIfHigher)}
      </Form.Checkbox>
      <div className="larch-instructor-actions mt-3">
        <Button variant="primary" disabled={action.status === 'busy'} onClick={() => run('reset')}>{intl.formatMessage(messages.reset)}</Button>
        <Button variant="outline-primary" disabled={action.status === 'busy'} onClick={() => run('rescore')}>{intl.formatMessage(messages.rescore)}</Button>
        <Button variant="outline-danger" disabled={action.status === 'busy'} onClick={() => run('delete')}>{intl.formatMessage(messages.delete)}</Button>
      </div>
      {confirming && (
        <Alert variant="warning" className="mt-3" role="alertdialog" aria-labelledby="confirm-delete-text"
          actions={[
            <Button key="yes" variant="danger" onClick={() => run('delete')} autoFocus>{intl.formatMessage(messages.confirm)}</Button>,
            <Button key="no" variant="tertiary" onClick={() => setConfirming(false)}>{intl.formatMessage(messages.cancel)}</Button>,
          ]}>
          <p id="confirm-delete-text" className="mb-0">{intl.formatMessage(messages.confirmDelete, { learner: learner.trim() })}</p>
        </Alert>
      )}
      {action.status === 'error' && <ActionError error={action.error} onRetry={action.retry} />}
      <div aria-live="polite">{doneText && <Alert variant="success" className="mt-3 mb-0">{doneText}</Alert>}</div>
    </section>
  );
}

/** One datalist both problem fields offer: the problem's name, its usage key as the value. */
function ProblemList({ problems }: { problems: ProblemChoice[] }) {
  return (
    <datalist id="course-problems">
      {problems.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
    </datalist>
  );
}

function ProblemField({ id, value, onChange, missing }: { id: string; value: string; onChange: (v: string) => void; missing: boolean }) {
  const intl = useIntl();
  return (
    <Form.Group controlId={id} isInvalid={missing}>
      <Form.Label>{intl.formatMessage(messages.problem)}</Form.Label>
      <Form.Control value={value} onChange={(e: React.ChangeEvent<HTMLInputElement>) => onChange(e.target.value)} spellCheck={false} dir="ltr" list="course-problems" autoComplete="off" />
      <Form.Control.Feedback type={missing ? 'invalid' : 'default'}>
        {intl.formatMessage(missing ? messages.required : messages.problemHelp)}
      </Form.Control.Feedback>
    </Form.Group>
  );
}

function AllLearners({ courseId, onTask }: { courseId: string; onTask: () => void }) {
  const intl = useIntl();
  const [problem, setProblem] = useState('');
  const [missing, setMissing] = useState(false);
  const action = useAction(async (kind: 'reset' | 'rescore', key: string) => {
    const form = { problem_to_reset: key, all_students: true };
    await postInstructor(courseId, kind === 'reset' ? 'reset_student_attempts' : 'rescore_problem', form);
    onTask();
    return kind;
  });
  const run = (kind: 'reset' | 'rescore') => {
    setMissing(!problem.trim());
    if (problem.trim()) void action.run(kind, problem.trim());
  };
  return (
    <section className="larch-instructor-section" aria-labelledby="all-title">
      <h2 id="all-title" className="h3">{intl.formatMessage(messages.allTitle)}</h2>
      <ProblemField id="all-problem" value={problem} onChange={setProblem} missing={missing} />
      <div className="larch-instructor-actions">
        <Button variant="outline-primary" disabled={action.status === 'busy'} onClick={() => run('reset')}>{intl.formatMessage(messages.resetAll)}</Button>
        <Button variant="outline-primary" disabled={action.status === 'busy'} onClick={() => run('rescore')}>{intl.formatMessage(messages.rescoreAll)}</Button>
      </div>
      {action.status === 'error' && <ActionError error={action.error} onRetry={action.retry} />}
      <div aria-live="polite">
        {action.status === 'done' && <Alert variant="success" className="mt-3 mb-0">{intl.formatMessage(messages.taskStarted)}</Alert>}
      </div>
    </section>
  );
}
