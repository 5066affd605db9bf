// What the course team page's tabs share: the instructor API call, an action
// hook that remembers its arguments for "Try again", its error display, and
// the pending instructor tasks list (polled while a task runs).
import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, Button } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import type { MessageDescriptor } from 'react-intl';
import { ApiError, NetworkError, errorMessage, request } from '../../api/http';
import { parseTasks, taskRunning } from '../../lib/instructor';
import type { InstructorTask } from '../../lib/instructor';

export const sharedMessages = defineMessages({
  networkTitle: { id: 'instructor.networkTitle', defaultMessage: 'We could not reach the server' },
  networkBody: { id: 'instructor.networkBody', defaultMessage: 'Check your connection, then try again.' },
  retry: { id: 'instructor.retry', defaultMessage: 'Try again' },
  failed: { id: 'instructor.failed', defaultMessage: 'The server refused this request (error {status}).' },
  unavailable: { id: 'instructor.unavailable', defaultMessage: 'This is not available on this server.' },
  tasksTitle: { id: 'instructor.tasksTitle', defaultMessage: 'Pending tasks' },
  tasksEmpty: { id: 'instructor.tasksEmpty', defaultMessage: 'No tasks are running.' },
  taskType: { id: 'instructor.taskType', defaultMessage: 'Task type' },
  taskRequester: { id: 'instructor.taskRequester', defaultMessage: 'Requester' },
  taskCreated: { id: 'instructor.taskCreated', defaultMessage: 'Submitted' },
  taskState: { id: 'instructor.taskState', defaultMessage: 'State' },
  taskMessage: { id: 'instructor.taskMessage', defaultMessage: 'Progress' },
  gradeCourse: { id: 'instructor.task.gradeCourse', defaultMessage: 'Grade report' },
  profileCsv: { id: 'instructor.task.profileCsv', defaultMessage: 'Enrolled students report' },
  rescore: { id: 'instructor.task.rescore', defaultMessage: 'Rescore problem' },
  rescoreHigher: { id: 'instructor.task.rescoreHigher', defaultMessage: 'Rescore problem if higher' },
  resetAttempts: { id: 'instructor.task.resetAttempts', defaultMessage: 'Reset problem attempts' },
});

export type Form = Record<string, string | boolean | undefined>;

/** POST /courses/{id}/instructor/api/{endpoint} with a form body (the views read request.POST). */
export function postInstructor(courseId: string, endpoint: string, form: Form = {}): Promise<unknown> {
  return request(`/courses/${encodeURIComponent(courseId)}/instructor/api/${endpoint}`, { method: 'POST', form });
}

export const isNotFound = (e: unknown) => e instanceof ApiError && e.status === 404;

export type ActionState<T> =
  | { status: 'idle'; data?: undefined; error?: undefined }
  | { status: 'busy'; data?: undefined; error?: undefined }
  | { status: 'done'; data: T; error?: undefined }
  | { status: 'error'; data?: undefined; error: unknown };

/** Runs an API action on demand; `retry` runs it again with the same arguments. */
export function useAction<A extends unknown[], T>(fn: (...args: A) => Promise<T>) {
  const [state, setState] = useState<ActionState<T>>({ status: 'idle' });
  const last = useRef<A | null>(null);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const run = useCallback(async (...args: A): Promise<T | undefined> => {
    last.current = args;
    setState({ status: 'busy' });
    try {
      const data = await fnRef.current(...args);
      setState({ status: 'done', data });
      return data;
    } catch (error) {
      setState({ status: 'error', error });
      return undefined;
    }
  }, []);
  const retry = useCallback(() => {
    if (last.current) void run(...last.current);
  }, [run]);
  const reset = useCallback(() => setState({ status: 'idle' }), []);
  return { ...state, run, retry, reset };
}

/** The text of a refused request: the server's message, else its status. */
export function useErrorText() {
  const intl = useIntl();
  return (error: unknown): string => {
    if (error instanceof ApiError) {
      if (error.status === 404) return intl.formatMessage(sharedMessages.unavailable);
      return errorMessage(error.body) ?? intl.formatMessage(sharedMessages.failed, { status: error.status });
    }
    return intl.formatMessage(sharedMessages.networkBody);
  };
}

/** An action's failure: the server's message, or for a network failure a retry button. */
export function ActionError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const intl = useIntl();
  const text = useErrorText();
  const network = error instanceof NetworkError || !(error instanceof ApiError);
  return (
    <Alert
      variant={network ? 'warning' : 'danger'}
      className="mt-3 mb-0"
      role="alert"
      actions={network ? [<Button key="retry" variant="primary" onClick={onRetry}>{intl.formatMessage(sharedMessages.retry)}</Button>] : undefined}
    >
      {network && <Alert.Heading>{intl.formatMessage(sharedMessages.networkTitle)}</Alert.Heading>}
      <p className="mb-0">{text(error)}</p>
    </Alert>
  );
}

/**
 * The course's running instructor tasks (list_instructor_tasks), polled every
 * `intervalMs` while one runs or `kick` changed in the last poll. `available`
 * is false when the server has no such endpoint (404): the list is hidden.
 */
export function useInstructorTasks(courseId: string, kick: number, intervalMs = 1500) {
  const [tasks, setTasks] = useState<InstructorTask[]>([]);
  const [available, setAvailable] = useState<boolean | null>(null);
  const [finished, setFinished] = useState(0);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wasRunning = kick > 0;
    const poll = async () => {
      try {
        const list = parseTasks(await postInstructor(courseId, 'list_instructor_tasks'));
        if (stopped) return;
        setAvailable(true);
        setTasks(list);
        const running = list.some(taskRunning);
        if (wasRunning && !running) setFinished((n) => n + 1);
        wasRunning = running;
        if (running) timer = setTimeout(poll, intervalMs);
      } catch (e) {
        if (stopped) return;
        if (isNotFound(e)) setAvailable(false);
        else timer = setTimeout(poll, intervalMs * 4);
      }
    };
    void poll();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [courseId, kick, intervalMs]);
  return { tasks, available, finished };
}

const TASK_NAMES: Record<string, MessageDescriptor> = {
  grade_course: sharedMessages.gradeCourse,
  profile_info_csv: sharedMessages.profileCsv,
  rescore_problem: sharedMessages.rescore,
  rescore_problem_if_higher: sharedMessages.rescoreHigher,
  reset_problem_attempts: sharedMessages.resetAttempts,
};

export function TaskTable({ tasks, available }: { tasks: InstructorTask[]; available: boolean | null }) {
  const intl = useIntl();
  if (!available) return null;
  return (
    <section className="mt-4" aria-live="polite">
      <h3 className="h4">{intl.formatMessage(sharedMessages.tasksTitle)}</h3>
      {tasks.length === 0 ? (
        <p className="text-muted">{intl.formatMessage(sharedMessages.tasksEmpty)}</p>
      ) : (
        <div className="table-responsive">
          <table className="table table-sm larch-instructor-table">
            <thead>
              <tr>
                <th scope="col">{intl.formatMessage(sharedMessages.taskType)}</th>
                <th scope="col">{intl.formatMessage(sharedMessages.taskRequester)}</th>
                <th scope="col">{intl.formatMessage(sharedMessages.taskCreated)}</th>
                <th scope="col">{intl.formatMessage(sharedMessages.taskState)}</th>
                <th scope="col">{intl.formatMessage(sharedMessages.taskMessage)}</th>
              </tr>
            </thead>
            <tbody>
              {tasks.map((t) => (
                <tr key={t.id}>
                  <td>{TASK_NAMES[t.type] ? intl.formatMessage(TASK_NAMES[t.type]) : t.type}</td>
                  <td>{t.requester}</td>
                  <td>{t.created ? intl.formatDate(t.created, { dateStyle: 'medium', timeStyle: 'short' }) : ''}</td>
                  <td>{t.state}</td>
                  <td>{t.message || t.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
