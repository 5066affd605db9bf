// The learner dashboard's data: GET /api/learner_home/init (Open edX's
// LearnerDashboardSerializer, camelCase) or, on servers without it (404), the
// learner's enrollments from GET /api/enrollment/v1/enrollment.

export interface DashboardCourse {
  courseId: string;
  name: string;
  number: string;
  provider: string;
  imageUrl: string | null;
  startDate: string | null;
  endDate: string | null;
  isStarted: boolean;
  isArchived: boolean;
  mode: string;
  resumeUrl: string | null;
  homeUrl: string;
  progressUrl: string | null;
  upgradeUrl: string | null;
  canUpgrade: boolean;
  isPassing: boolean | null;
  certificate: 'downloadable' | 'earned' | 'restricted' | null;
  certificateUrl: string | null;
}

export interface Suggestion {
  name: string;
  url: string;
  imageUrl: string | null;
}

export interface DashboardData {
  courses: DashboardCourse[];
  suggestions: Suggestion[];
  emailConfirmationNeeded: boolean;
  sendEmailUrl: string | null;
}

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});
const s = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

export function learningHome(courseId: string): string {
  return `/learning/course/${courseId}/home`;
}

export function parseLearnerHome(body: unknown): DashboardData {
  const b = o(body);
  const cards = Array.isArray(b.courses) ? b.courses : [];
  const courses: DashboardCourse[] = [];
  for (const raw of cards) {
    const card = o(raw);
    const run = o(card.courseRun);
    const courseId = s(run.courseId);
    if (!courseId) continue; // an unfulfilled entitlement has no run
    const course = o(card.course);
    const enrollment = o(card.enrollment);
    const cert = o(card.certificate);
    courses.push({
      courseId,
      name: s(course.courseName) ?? courseId,
      number: s(course.courseNumber) ?? '',
      provider: s(o(card.courseProvider).name) ?? '',
      imageUrl: s(course.bannerImgSrc),
      startDate: s(run.startDate),
      endDate: s(run.endDate),
      isStarted: run.isStarted !== false,
      isArchived: run.isArchived === true,
      mode: s(enrollment.mode) ?? 'audit',
      resumeUrl: s(run.resumeUrl),
      homeUrl: s(run.homeUrl) ?? learningHome(courseId),
      progressUrl: s(run.progressUrl),
      upgradeUrl: s(run.upgradeUrl),
      canUpgrade: enrollment.canUpgrade === true && Boolean(s(run.upgradeUrl)),
      isPassing: typeof o(card.gradeData).isPassing === 'boolean' ? (o(card.gradeData).isPassing as boolean) : null,
      certificate: cert.isDownloadable ? 'downloadable' : cert.isEarned ? 'earned' : cert.isRestricted ? 'restricted' : null,
      certificateUrl: s(cert.certPreviewUrl),
    });
  }
  const suggestions = (Array.isArray(b.suggestedCourses) ? b.suggestedCourses : [])
    .map((x) => o(x))
    .filter((x) => s(x.courseName) && s(x.courseUrl))
    .map((x) => ({ name: s(x.courseName)!, url: s(x.courseUrl)!, imageUrl: s(x.bannerImgSrc) }));
  const confirm = o(b.emailConfirmation);
  return {
    courses,
    suggestions,
    emailConfirmationNeeded: confirm.isNeeded === true,
    sendEmailUrl: s(confirm.sendEmailUrl),
  };
}

export function parseEnrollmentList(body: unknown, now: Date): DashboardData {
  const list = Array.isArray(body) ? body : [];
  const courses: DashboardCourse[] = [];
  for (const raw of list) {
    const e = o(raw);
    if (e.is_active === false) continue;
    const d = o(e.course_details);
    const courseId = s(d.course_id);
    if (!courseId) continue;
    const start = s(d.course_start);
    const end = s(d.course_end);
    courses.push({
      courseId,
      name: s(d.course_name) ?? courseId,
      number: courseId.split(/[:+]/)[2] ?? '',
      provider: courseId.split(/[:+]/)[1] ?? '',
      imageUrl: null,
      startDate: start,
      endDate: end,
      isStarted: !start || new Date(start).getTime() <= now.getTime(),
      isArchived: Boolean(end) && new Date(end!).getTime() < now.getTime(),
      mode: s(e.mode) ?? 'audit',
      resumeUrl: null,
      homeUrl: learningHome(courseId),
      progressUrl: null,
      upgradeUrl: null,
      canUpgrade: false,
      isPassing: null,
      certificate: null,
      certificateUrl: null,
    });
  }
  return { courses, suggestions: [], emailConfirmationNeeded: false, sendEmailUrl: null };
}
