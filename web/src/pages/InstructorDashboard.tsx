import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useParams } from 'react-router-dom';
import { Alert, Button, Card, Form, StatefulButton } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import { usePageTitle } from '../components/Layout';
import { ErrorPanel, Loading } from '../components/Status';
import { ApiError, errorMessage, request } from '../api/http';
import { useLoad } from '../lib/useLoad';
import { anyRunning, parseDownloads, parseTasks } from '../lib/instructor';
import type { InstructorTask, ReportDownload } from '../lib/instructor';

const messages = defineMessages({
  title: { id: 'instructor.title', defaultMessage: 'Instructor dashboard' },
  reports: { id: 'instructor.reports', defaultMessage: 'Reports' },
  gradeReport: { id: 'instructor.gradeReport', defaultMessage: 'Generate grade report' },
  profileReport: { id: 'instructor.profileReport', defaultMessage: 'Generate enrolled learner profiles' },
  requesting: { id: 'instructor.requesting', defaultMessage: 'Requesting…' },
  noReports: { id: 'instructor.noReports', defaultMessage: 'No reports yet.' },
  tasks: { id: 'instructor.tasks', defaultMessage: 'Pending tasks' },
  noTasks: { id: 'instructor.noTasks', defaultMessage: 'No tasks are running.' },
  taskType: { id: 'instructor.taskType', defaultMessage: 'Task' },
  taskState: { id: 'instructor.taskState', defaultMessage: 'State' },
  requester: { id: 'instructor.requester', defaultMessage: 'Requested by' },
  taskMessage: { id: 'instructor.taskMessage', defaultMessage: 'Progress' },
  refresh: { id: 'instructor.refresh', defaultMessage: 'Refresh' },
  lookup: { id: 'instructor.lookup', defaultMessage: 'Learner progress' },
  learner: { id: 'instructor.learner', defaultMessage: 'Username or email' },
  find: { id: 'instructor.find', defaultMessage: 'Find' },
  viewProgress: { id: 'instructor.viewProgress', defaultMessage: 'View the progress of {learner}' },
  problem: { id: 'instructor.problem', defaultMessage: 'A problem for every learner' },
  problemKey: { id: 'instructor.problemKey', defaultMessage: 'Problem location (usage key)' },
  rescoreAll: { id: 'instructor.rescoreAll', defaultMessage: 'Rescore for all learners' },
  resetAll: { id: 'instructor.resetAll', defaultMessage: 'Reset attempts for all learners' },
  started: { id: 'instructor.started', defaultMessage: 'The task was started; see Pending tasks.' },
  failed: { id: 'instructor.failed', defaultMessage: 'The request failed. Please try again.' },
});

function base(courseId: string): string {
  return `/courses/${courseId}/instructor/api`;
}

async function loadTasks(courseId: string, signal?: AbortSignal): Promise<InstructorTask[]> {
  return parseTasks(await request(`${base(courseId)}/list_instructor_tasks`, { form: {}, signal }));
}

async function loadDownloads(courseId: string, signal?: AbortSignal): Promise<ReportDownload[]> {
  return parseDownloads(await request(`${base(courseId)}/list_report_downloads`, { form: {}, signal }));
}

function failure(err: unknown, fallback: string): string {
  return (err instanceof ApiError && errorMessage(err.body)) || fallback;
}

export default function InstructorDashboard() {
  const intl = useIntl();
  usePageTitle(intl.formatMessage(messages.title));
  const courseId = useParams().courseId ?? '';
  const tasks = useLoad((signal) => loadTasks(courseId, signal), [courseId]);
  const downloads = useLoad((signal) => loadDownloads(courseId, signal), [courseId]);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, setPending] = useState<string | null>(null);

  const refresh = async () => {
    try {
      tasks.setData(await loadTasks(courseId));
      downloads.setData(await loadDownloads(courseId));
    } catch {
      // The panels keep what they showed; the next poll tries again.
    }
  };

  // Poll while a task runs, so progress and new reports appear by themselves.
  const running = tasks.status === 'done' && anyRunning(tasks.data);
  useEffect(() => {
    if (!running) return undefined;
    const timer = window.setInterval(refresh, 3000);
    return () => window.clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [running, courseId]);

  const post = async (key: string, view: string, form: Record<string, string>) => {
    setPending(key);
    setNotice(null);
    try {
      const body = (await request(`${base(courseId)}/${view}`, { form })) as { status?: string };
      setNotice({ ok: true, text: body?.status ?? intl.formatMessage(messages.started) });
      await refresh();
    } catch (err) {
      setNotice({ ok: false, text: failure(err, intl.formatMessage(messages.failed)) });
    } finally {
      setPending(null);
    }
  };

  return (
    <div className="container my-4">
      <h1>{intl.formatMessage(messages.title)}</h1>
      <p className="text-muted">{courseId}</p>
      {notice && (
        <Alert variant={notice.ok ? 'success' : 'danger'} role={notice.ok ? 'status' : 'alert'}>
          {notice.text}
        </Alert>
      )}
      <Card className="mb-4">
        <Card.Section>
          <h2 className="h3">{intl.formatMessage(messages.reports)}</h2>
          <div className="d-flex flex-wrap mb-2">
            <StatefulButton
            className="mr-2 mb-2"
              state={pending === 'grades' ? 'pending' : 'default'}
              labels={{ default: intl.formatMessage(messages.gradeReport), pending: intl.formatMessage(messages.requesting) }}
              onClick={() => post('grades', 'calculate_grades_csv', {})}
            />
            <StatefulButton
            className="mr-2 mb-2"
              variant="outline-primary"
              state={pending === 'profiles' ? 'pending' : 'default'}
              labels={{ default: intl.formatMessage(messages.profileReport), pending: intl.formatMessage(messages.requesting) }}
              onClick={() => post('profiles', 'get_students_features/csv', {})}
            />
          </div>
          {downloads.status === 'loading' && <Loading />}
          {downloads.status === 'error' && <ErrorPanel error={downloads.error} onRetry={downloads.retry} />}
          {downloads.status === 'done' &&
            (downloads.data.length === 0 ? (
              <p>{intl.formatMessage(messages.noReports)}</p>
            ) : (
              <ul className="list-unstyled">
                {downloads.data.map((d) => (
                  <li key={d.url}>
                    <a href={d.url} download>
                      {d.name}
                    </a>
                  </li>
                ))}
              </ul>
            ))}
        </Card.Section>
      </Card>
      <TaskPanel tasks={tasks} onRefresh={refresh} />
      <LookupPanel courseId={courseId} />
      <ProblemPanel pending={pending} onPost={post} />
    </div>
  );
}

function TaskPanel({ tasks, onRefresh }: { tasks: ReturnType<typeof useLoad<InstructorTask[]>>; onRefresh: () => void }) {
  const intl = useIntl();
  return (
    <Card className="mb-4">
      <Card.Section>
        <div className="d-flex justify-content-between align-items-center">
          <h2 className="h3">{intl.formatMessage(messages.tasks)}</h2>
          <Button variant="link" onClick={onRefresh}>
            {intl.formatMessage(messages.refresh)}
          </Button>
        </div>
        {tasks.status === 'loading' && <Loading />}
        {tasks.status === 'error' && <ErrorPanel error={tasks.error} onRetry={tasks.retry} />}
        {tasks.status === 'done' &&
          (tasks.data.length === 0 ? (
            <p role="status">{intl.formatMessage(messages.noTasks)}</p>
          ) : (
            <table className="table table-sm">
              <thead>
                <tr>
                  <th scope="col">{intl.formatMessage(messages.taskType)}</th>
                  <th scope="col">{intl.formatMessage(messages.taskState)}</th>
                  <th scope="col">{intl.formatMessage(messages.requester)}</th>
                  <th scope="col">{intl.formatMessage(messages.taskMessage)}</th>
                </tr>
              </thead>
              <tbody>
                {tasks.data.map((t) => (
                  <tr key={t.taskId}>
                    <td>{t.taskType}</td>
                    <td>{t.state}</td>
                    <td>{t.requester}</td>
                    <td>{t.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
      </Card.Section>
    </Card>
  );
}

function LookupPanel({ courseId }: { courseId: string }) {
  const intl = useIntl();
  const [learner, setLearner] = useState('');
  const [error, setError] = useState('');
  const [found, setFound] = useState<{ learner: string; url: string } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    setFound(null);
    try {
      const body = (await request(`${base(courseId)}/get_student_progress_url`, {
        form: { unique_student_identifier: learner.trim() },
      })) as { progress_url?: string };
      if (body?.progress_url?.startsWith('/')) setFound({ learner: learner.trim(), url: body.progress_url });
    } catch (err) {
      setError(failure(err, intl.formatMessage(messages.failed)));
    }
  };
  return (
    <Card className="mb-4">
      <Card.Section>
        <h2 className="h3">{intl.formatMessage(messages.lookup)}</h2>
        <Form onSubmit={submit} noValidate>
          <Form.Group controlId="instructor-learner" isInvalid={Boolean(error)}>
            <Form.Label>{intl.formatMessage(messages.learner)}</Form.Label>
            <Form.Control
              value={learner}
              onChange={(e: React.ChangeEvent<HTMLInputElement>) => setLearner(e.target.value)}
            />
            {error && <Form.Control.Feedback type="invalid">{error}</Form.Control.Feedback>}
          </Form.Group>
          <Button type="submit">{intl.formatMessage(messages.find)}</Button>
        </Form>
        {found && (
          <p className="mt-3">
            <a href={found.url}>{intl.formatMessage(messages.viewProgress, { learner: found.learner })}</a>
          </p>
        )}
      </Card.Section>
    </Card>
  );
}

function ProblemPanel({
  pending,
  onPost,
}: {
  pending: string | null;
  onPost: (key: string, view: string, form: Record<string, string>) => void;
}) {
  const intl = useIntl();
  const [problem, setProblem] = useState('');
  const form = { problem_to_reset: problem.trim(), all_students: 'true' };
  return (
    <Card className="mb-4">
      <Card.Section>
        <h2 className="h3">{intl.formatMessage(messages.problem)}</h2>
        <Form.Group controlId="instructor-problem">
          <Form.Label>{intl.formatMessage(messages.problemKey)}</Form.Label>
          <Form.Control
            value={problem}
            onChange={(e: React.ChangeEvent<HTMLInputElement>) => setProblem(e.target.value)}
          />
        </Form.Group>
        <div className="d-flex flex-wrap">
          <StatefulButton
            className="mr-2 mb-2"
            state={pending === 'rescore' ? 'pending' : 'default'}
            disabled={!problem.trim()}
            labels={{ default: intl.formatMessage(messages.rescoreAll), pending: intl.formatMessage(messages.requesting) }}
            onClick={() => onPost('rescore', 'rescore_problem', form)}
          />
          <StatefulButton
            className="mr-2 mb-2"
            variant="outline-primary"
            state={pending === 'reset' ? 'pending' : 'default'}
            disabled={!problem.trim()}
            labels={{ default: intl.formatMessage(messages.resetAll), pending: intl.formatMessage(messages.requesting) }}
            onClick={() => onPost('reset', 'reset_student_attempts', form)}
          />
        </div>
      </Card.Section>
    </Card>
  );
}
