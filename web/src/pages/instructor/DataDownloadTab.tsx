// Data download (upstream's data_download section): generate the grade
// report (calculate_grades_csv) and the enrolled students' profile report
// (get_students_features/csv), then the list of reports ready to download
// (list_report_downloads), refreshed while a report task runs.
import { useEffect, useState } from 'react';
import { Alert, Button } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import { useLoad } from '../../lib/useLoad';
import { parseDownloads } from '../../lib/instructor';
import { ErrorPanel, Loading } from '../../components/Status';
import { ActionError, TaskTable, isNotFound, postInstructor, sharedMessages, useAction, useInstructorTasks } from './shared';

const messages = defineMessages({
  reportsTitle: { id: 'instructor.data.title', defaultMessage: 'Reports' },
  reportsHelp: {
    id: 'instructor.data.help',
    defaultMessage: 'Reports are created in the background. They appear in the list below when they are ready.',
  },
  gradeReport: { id: 'instructor.data.gradeReport', defaultMessage: 'Generate grade report' },
  profileReport: { id: 'instructor.data.profileReport', defaultMessage: 'Generate enrolled students report' },
  downloadsTitle: { id: 'instructor.data.downloads', defaultMessage: 'Reports available for download' },
  noDownloads: { id: 'instructor.data.noDownloads', defaultMessage: 'No reports yet.' },
  started: { id: 'instructor.data.started', defaultMessage: 'The report is being created. It appears below when it is ready.' },
  unavailable: { id: 'instructor.data.unavailable', defaultMessage: 'Reports are not available on this server.' },
});

type Report = 'grades' | 'profile';
const ENDPOINTS: Record<Report, string> = { grades: 'calculate_grades_csv', profile: 'get_students_features/csv' };

export default function DataDownloadTab({ courseId }: { courseId: string }) {
  const intl = useIntl();
  const [kick, setKick] = useState(0);
  const tasks = useInstructorTasks(courseId, kick);
  const downloads = useLoad(async () => {
    try {
      return parseDownloads(await postInstructor(courseId, 'list_report_downloads'));
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }, [courseId, tasks.finished]);
  const generate = useAction(async (report: Report) => {
    const body = await postInstructor(courseId, ENDPOINTS[report]);
    setKick((k) => k + 1);
    const status = body && typeof body === 'object' ? (body as { status?: unknown }).status : null;
    return typeof status === 'string' ? status : null;
  });
  // While a report task runs the list is read again when it ends (tasks.finished);
  // a server without tasks gets one more read a little later.
  useEffect(() => {
    if (generate.status !== 'done' || tasks.available !== false) return undefined;
    const t = setTimeout(downloads.retry, 2000);
    return () => clearTimeout(t);
  }, [generate.status, tasks.available, downloads.retry]);

  const unavailable = downloads.status === 'done' && downloads.data === null;
  return (
    <section className="larch-instructor-section" aria-labelledby="data-title">
      <h2 id="data-title" className="h3">{intl.formatMessage(messages.reportsTitle)}</h2>
      <p className="text-muted">{intl.formatMessage(messages.reportsHelp)}</p>
      <div className="larch-instructor-actions">
        {(['grades', 'profile'] as Report[]).map((r) => (
          <Button key={r} variant="primary" disabled={generate.status === 'busy' || unavailable} onClick={() => void generate.run(r)}>
            {intl.formatMessage(r === 'grades' ? messages.gradeReport : messages.profileReport)}
          </Button>
        ))}
      </div>
      <div aria-live="polite">
        {unavailable && <Alert variant="info" className="mt-3 mb-0">{intl.formatMessage(messages.unavailable)}</Alert>}
        {generate.status === 'done' && <Alert variant="success" className="mt-3 mb-0">{generate.data ?? intl.formatMessage(messages.started)}</Alert>}
      </div>
      {generate.status === 'error' && (isNotFound(generate.error)
        ? <Alert variant="info" className="mt-3 mb-0">{intl.formatMessage(sharedMessages.unavailable)}</Alert>
        : <ActionError error={generate.error} onRetry={generate.retry} />)}
      <TaskTable tasks={tasks.tasks} available={tasks.available} />
      {!unavailable && (
        <section className="mt-4 larch-downloads" aria-labelledby="downloads-title">
          <h3 id="downloads-title" className="h4">{intl.formatMessage(messages.downloadsTitle)}</h3>
          {downloads.status === 'loading' && <Loading />}
          {downloads.status === 'error' && <ErrorPanel error={downloads.error} onRetry={downloads.retry} />}
          {downloads.status === 'done' && downloads.data && (downloads.data.length === 0
            ? <p className="text-muted">{intl.formatMessage(messages.noDownloads)}</p>
            : (
              <ul className="larch-download-list">
                {downloads.data.map((d) => (
                  <li key={d.url}><a href={d.url} download={d.name}>{d.name}</a></li>
                ))}
              </ul>
            ))}
        </section>
      )}
    </section>
  );
}
