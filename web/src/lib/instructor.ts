// The course team page's data (/courses/{id}/instructor): the pasted list of
// learners, the replies of the instructor dashboard's endpoints
// (students_update_enrollment, modify_access, list_instructor_tasks,
// list_report_downloads) and the gradebook, mapped to what the tabs show.
// Upstream's lms/static/js/instructor_dashboard/membership.js sorts the
// enrollment results the same way.

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * The usernames and emails of a pasted list: split on commas, semicolons and
 * any white space (upstream's `_split_input_list` splits on commas and white
 * space), empty entries dropped, duplicates kept once (emails compared without
 * case), in the order pasted.
 */
export function parseIdentifiers(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(/[\s,;]+/)) {
    const id = raw.trim();
    if (!id) continue;
    const key = id.includes('@') ? id.toLowerCase() : id;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(id);
  }
  return out;
}

export type EnrollmentOutcome =
  | 'enrolled'
  | 'alreadyEnrolled'
  | 'allowed'
  | 'allowedAuto'
  | 'unenrolled'
  | 'notEnrolled'
  | 'invalid'
  | 'error';

export interface EnrollmentResult {
  identifier: string;
  outcome: EnrollmentOutcome;
}

export interface EnrollmentReply {
  action: 'enroll' | 'unenroll';
  results: EnrollmentResult[];
}

/** One row of students_update_enrollment's `results`, as membership.js sorts it. */
export function enrollmentOutcome(action: string, row: unknown): EnrollmentOutcome {
  const r = o(row);
  if (r.invalidIdentifier) return 'invalid';
  if (r.error) return 'error';
  const before = o(r.before);
  const after = o(r.after);
  if (after.enrollment) return before.enrollment && action === 'enroll' ? 'alreadyEnrolled' : 'enrolled';
  if (after.allowed) return after.auto_enroll ? 'allowedAuto' : 'allowed';
  if (action === 'unenroll') return before.enrollment || before.allowed ? 'unenrolled' : 'notEnrolled';
  return 'error';
}

export function parseEnrollmentReply(body: unknown): EnrollmentReply {
  const b = o(body);
  const action = b.action === 'unenroll' ? 'unenroll' : 'enroll';
  return {
    action,
    results: arr(b.results).map((row) => ({
      identifier: str(o(row).identifier),
      outcome: enrollmentOutcome(action, row),
    })),
  };
}

export type AccessOutcome = 'done' | 'noUser' | 'inactive' | 'removingSelf' | 'failed';

/** modify_access's reply (200 bodies; a 400 is plain text and maps to `failed`). */
export function accessOutcome(body: unknown): AccessOutcome {
  const b = o(body);
  if (b.userDoesNotExist) return 'noUser';
  if (b.inactiveUser) return 'inactive';
  if (b.removingSelfAsInstructor) return 'removingSelf';
  if (b.success === 'yes') return 'done';
  return 'failed';
}

export interface InstructorTask {
  id: string;
  type: string;
  input: string;
  requester: string;
  state: string;
  created: string;
  status: string;
  message: string;
}

/** list_instructor_tasks' `{"tasks": [...]}` (extract_task_features). */
export function parseTasks(body: unknown): InstructorTask[] {
  return arr(o(body).tasks).map((t) => {
    const x = o(t);
    return {
      id: str(x.task_id),
      type: str(x.task_type),
      input: str(x.task_input),
      requester: str(x.requester),
      state: str(x.task_state),
      created: str(x.created),
      status: str(x.status),
      message: str(x.task_message),
    };
  });
}

/** A task still queued or running: the reports list is polled while one is. */
export function taskRunning(task: InstructorTask): boolean {
  return task.state === 'QUEUED' || task.state === 'PROGRESS' || task.state === 'PENDING';
}

export interface ReportDownload {
  name: string;
  url: string;
}

/** list_report_downloads' `{"downloads": [{url, name, link}]}`; only same-site paths or http(s) links. */
export function parseDownloads(body: unknown): ReportDownload[] {
  return arr(o(body).downloads)
    .map((d) => ({ name: str(o(d).name), url: str(o(d).url) }))
    .filter((d) => d.name && (d.url.startsWith('/') || /^https?:\/\//.test(d.url)));
}

export interface GradebookSubsection {
  moduleId: string;
  label: string;
  name: string;
  category: string;
  earned: number;
  possible: number;
  percent: number;
  attempted: boolean;
}

export interface GradebookLearner {
  userId: number;
  username: string;
  email: string;
  percent: number;
  letterGrade: string | null;
  passed: boolean;
  subsections: GradebookSubsection[];
}

export interface Gradebook {
  learners: GradebookLearner[];
  total: number;
  filtered: number;
  next: string | null;
}

/** GET /api/grades/v1/gradebook/{course}/: a page of `results`, or one entry with `?username=`. */
export function parseGradebook(body: unknown): Gradebook {
  const b = o(body);
  const rows = Array.isArray(b.results) ? b.results : b.username ? [b] : [];
  const learners = rows.map((r) => {
    const x = o(r);
    return {
      userId: num(x.user_id),
      username: str(x.username),
      email: str(x.email),
      percent: num(x.percent),
      letterGrade: typeof x.letter_grade === 'string' ? x.letter_grade : null,
      passed: Boolean(x.passed),
      subsections: arr(x.section_breakdown).map((s) => {
        const y = o(s);
        return {
          moduleId: str(y.module_id),
          label: str(y.label),
          name: str(y.subsection_name),
          category: str(y.category),
          earned: num(y.score_earned),
          possible: num(y.score_possible),
          percent: num(y.percent),
          attempted: Boolean(y.attempted),
        };
      }),
    };
  });
  return {
    learners,
    total: typeof b.total_users_count === 'number' ? b.total_users_count : learners.length,
    filtered: typeof b.filtered_users_count === 'number' ? b.filtered_users_count : learners.length,
    next: typeof b.next === 'string' ? b.next : null,
  };
}

/** The learning app's progress tab for one learner (get_student_progress_url's shape). */
export function progressPath(courseId: string, userId: number): string {
  return `/learning/course/${courseId}/progress/${userId}/`;
}

/** get_student_progress_url's `progress_url`, kept to same-site paths. */
export function parseProgressUrl(body: unknown): string | null {
  const url = str(o(body).progress_url);
  return url.startsWith('/') && !url.startsWith('//') ? url : null;
}

export interface OverrideResult {
  success: boolean;
  reason: string;
}

/** bulk-update's per-item `[{user_id, usage_id, success, reason}]` (202 or 422). */
export function parseOverrideReply(body: unknown): OverrideResult[] {
  return arr(body).map((r) => ({ success: Boolean(o(r).success), reason: str(o(r).reason) }));
}

/** A score typed into the override form: a non-negative number, else null. */
export function parseScore(text: string): number | null {
  const t = text.trim().replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(t)) return null;
  return Number(t);
}

export interface CourseInfo {
  id: string;
  name: string;
  org: string;
  number: string;
  start: string | null;
  end: string | null;
  enrollmentStart: string | null;
  enrollmentEnd: string | null;
  pacing: string;
  isStaff: boolean;
}

/** GET /api/courseware/course/{id}: what the course info tab shows and who may see the page. */
export function parseCourseInfo(body: unknown): CourseInfo {
  const b = o(body);
  const date = (v: unknown) => (typeof v === 'string' && v ? v : null);
  return {
    id: str(b.id),
    name: str(b.name),
    org: str(b.org),
    number: str(b.number),
    start: date(b.start),
    end: date(b.end),
    enrollmentStart: date(b.enrollment_start),
    enrollmentEnd: date(b.enrollment_end),
    pacing: str(b.pacing),
    // The course-level flag the learning MFE reads: course staff, instructors, global staff.
    isStaff: Boolean(b.original_user_is_staff ?? b.is_staff),
  };
}

export interface ProblemChoice {
  id: string;
  name: string;
}

/** The Blocks API's problems (`return_type=list` or the `{root, blocks}` dict), for the problem picker. */
export function parseProblems(body: unknown): ProblemChoice[] {
  const list = Array.isArray(body) ? body : Object.values(o(o(body).blocks));
  return list
    .map((b) => o(b))
    .filter((b) => b.type === 'problem' && str(b.id))
    .map((b) => ({ id: str(b.id), name: str(b.display_name) || str(b.id) }));
}
