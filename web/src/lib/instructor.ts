// The instructor dashboard's data: the task list and report list replies of
// list_instructor_tasks and list_report_downloads, read defensively.

export interface InstructorTask {
  taskId: string;
  taskType: string;
  state: string;
  requester: string;
  created: string;
  message: string;
  complete: boolean;
}

export interface ReportDownload {
  name: string;
  url: string;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function parseTasks(body: unknown): InstructorTask[] {
  const tasks = (body as { tasks?: unknown })?.tasks;
  if (!Array.isArray(tasks)) return [];
  return tasks
    .filter((t): t is Record<string, unknown> => Boolean(t) && typeof t === 'object')
    .map((t) => ({
      taskId: str(t.task_id),
      taskType: str(t.task_type),
      state: str(t.task_state),
      requester: str(t.requester),
      created: str(t.created),
      message: str(t.task_message),
      complete: t.status === 'Complete',
    }));
}

export function parseDownloads(body: unknown): ReportDownload[] {
  const downloads = (body as { downloads?: unknown })?.downloads;
  if (!Array.isArray(downloads)) return [];
  return downloads
    .filter((d): d is Record<string, unknown> => Boolean(d) && typeof d === 'object')
    .map((d) => ({ name: str(d.name), url: str(d.url) }))
    .filter((d) => d.name !== '' && d.url.startsWith('/'));
}

/** Whether any listed task still runs (the page polls while one does). */
export function anyRunning(tasks: InstructorTask[]): boolean {
  return tasks.some((t) => t.state !== 'SUCCESS' && t.state !== 'FAILURE');
}
