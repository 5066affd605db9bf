// The learning pages' data: course home (outline, dates, progress) and the
// courseware player (sequence metadata, previous/next across sequences),
// read from the Open edX-shaped APIs the learning MFE calls.

import { courseKeyInPath } from '../components/CourseCard';

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const s = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

// ---- paths -----------------------------------------------------------------

export function homePath(courseId: string, tab: 'home' | 'dates' | 'progress' = 'home'): string {
  return `/learning/course/${courseKeyInPath(courseId)}/${tab}`;
}

export function coursewarePath(courseId: string, sequenceId: string, unitId?: string | null): string {
  const base = `/learning/course/${courseKeyInPath(courseId)}/${courseKeyInPath(sequenceId)}`;
  return unitId ? `${base}/${courseKeyInPath(unitId)}` : base;
}

/** A same-site path for a learning URL the server gave (absolute or not), or null. */
export function learningPathOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url, 'http://x.invalid');
    if (!u.pathname.startsWith('/learning/')) return null;
    return u.pathname + u.search;
  } catch {
    return null;
  }
}

// ---- tabs ------------------------------------------------------------------

export interface CourseTab {
  id: string;
  title: string;
  /** An app route (`/learning/...`) or null when the tab lives elsewhere. */
  path: string | null;
  url: string | null;
}

const APP_TABS: Record<string, 'home' | 'dates' | 'progress'> = {
  courseware: 'home',
  outline: 'home',
  dates: 'dates',
  progress: 'progress',
};

/** Tabs of course_metadata (`tab_id`) or courseware/course (`slug`): ours as routes, static tabs as links. */
export function parseTabs(courseId: string, raw: unknown): CourseTab[] {
  const out: CourseTab[] = [];
  for (const t of arr(raw)) {
    const tab = o(t);
    const id = s(tab.tab_id) ?? s(tab.slug) ?? s(tab.type);
    const title = s(tab.title);
    if (!id || !title) continue;
    const app = APP_TABS[id];
    if (app) out.push({ id, title, path: homePath(courseId, app), url: null });
    else if (id.startsWith('static_tab') && s(tab.url)) out.push({ id, title, path: null, url: s(tab.url) });
  }
  // Older servers leave the dynamic dates tab out of the policy's tabs.
  const dates = 'dates';
  if (!out.some((t) => t.id === dates)) out.push({ id: dates, title: 'Dates', path: homePath(courseId, dates), url: null });
  return out;
}

export interface CourseAccess {
  hasAccess: boolean;
  errorCode: string | null;
  message: string | null;
}

export function parseAccess(raw: unknown): CourseAccess {
  const a = o(raw);
  return {
    hasAccess: a.has_access !== false,
    errorCode: s(a.error_code),
    message: s(a.user_message) ?? s(a.developer_message),
  };
}

export interface CourseMeta {
  id: string;
  title: string;
  org: string;
  number: string;
  tabs: CourseTab[];
  access: CourseAccess;
  isStaff: boolean;
  /** is_mfe_special_exams_enabled: the course runs timed exams. */
  specialExams: boolean;
}

/** GET /api/course_home/v1/course_metadata/{course} or /api/courseware/course/{course}. */
export function parseCourseMeta(courseId: string, body: unknown): CourseMeta {
  const b = o(body);
  return {
    id: s(b.course_id) ?? s(b.id) ?? courseId,
    title: s(b.title) ?? s(b.name) ?? courseId,
    org: s(b.org) ?? '',
    number: s(b.number) ?? '',
    tabs: parseTabs(courseId, b.tabs),
    access: parseAccess(b.course_access ?? b.can_load_courseware),
    isStaff: b.is_staff === true,
    specialExams: b.is_mfe_special_exams_enabled === true,
  };
}

// ---- outline ---------------------------------------------------------------

export interface OutlineSequence {
  id: string;
  title: string;
  complete: boolean;
  due: string | null;
  format: string | null;
  graded: boolean;
  sectionId: string;
  sectionTitle: string;
}

export interface OutlineSection {
  id: string;
  title: string;
  complete: boolean;
  sequences: OutlineSequence[];
}

export interface CourseOutline {
  sections: OutlineSection[];
  /** Every sequence in outline order (what previous/next walks). */
  sequences: OutlineSequence[];
  hasBlocks: boolean;
  hasVisited: boolean;
  resumeUrl: string | null;
  handoutsHtml: string | null;
  welcomeHtml: string | null;
  canEnroll: boolean;
  enrollmentMode: string | null;
}

/** GET /api/course_home/v1/outline/{course}: the course, its chapters and sequentials. */
export function parseOutline(body: unknown): CourseOutline {
  const b = o(body);
  const blocksRoot = o(b.course_blocks);
  const blocks = o(blocksRoot.blocks);
  const rootId = s(blocksRoot.root) ?? Object.keys(blocks).find((k) => o(blocks[k]).type === 'course') ?? null;
  const root = rootId ? o(blocks[rootId]) : {};
  const sections: OutlineSection[] = [];
  for (const chId of arr(root.children)) {
    const ch = o(blocks[String(chId)]);
    if (ch.hide_from_toc === true || !s(ch.id)) continue;
    const section: OutlineSection = { id: s(ch.id)!, title: s(ch.display_name) ?? '', complete: ch.complete === true, sequences: [] };
    for (const sqId of arr(ch.children)) {
      const sq = o(blocks[String(sqId)]);
      if (sq.hide_from_toc === true || !s(sq.id)) continue;
      section.sequences.push({
        id: s(sq.id)!,
        title: s(sq.display_name) ?? '',
        complete: sq.complete === true,
        due: s(sq.due),
        format: s(sq.description),
        graded: s(sq.icon) === 'fa-pencil-square-o',
        sectionId: section.id,
        sectionTitle: section.title,
      });
    }
    sections.push(section);
  }
  const resume = o(b.resume_course);
  return {
    sections,
    sequences: sections.flatMap((x) => x.sequences),
    hasBlocks: Boolean(b.course_blocks),
    hasVisited: resume.has_visited_course === true,
    resumeUrl: s(resume.url),
    handoutsHtml: s(b.handouts_html)?.trim() || null,
    welcomeHtml: s(b.welcome_message_html)?.trim() || null,
    canEnroll: o(b.enroll_alert).can_enroll === true,
    enrollmentMode: s(b.enrollment_mode),
  };
}

/** Progress through the outline: complete sequences over all of them. */
export function outlineCompletion(outline: CourseOutline): { complete: number; total: number } {
  return { complete: outline.sequences.filter((x) => x.complete).length, total: outline.sequences.length };
}

// ---- sequence and navigation ----------------------------------------------

export interface SequenceUnit {
  id: string;
  title: string;
  type: string;
  complete: boolean;
  bookmarked: boolean;
  graded: boolean;
}

export interface Sequence {
  id: string;
  title: string;
  format: string | null;
  units: SequenceUnit[];
  /** The saved 1-based position (goto_position), null before the first. */
  position: number | null;
  savePosition: boolean;
  hiddenAfterDue: boolean;
  bannerText: string | null;
  /** is_time_limited: a timed exam (the player asks the attempt API what to show). */
  timeLimited: boolean;
}

/** GET /api/courseware/sequence/{sequence}. */
export function parseSequence(body: unknown): Sequence {
  const b = o(body);
  const units = arr(b.items).map((i) => {
    const u = o(i);
    return {
      id: s(u.id) ?? '',
      title: s(u.page_title) ?? '',
      type: s(u.type) ?? 'other',
      complete: u.complete === true,
      bookmarked: u.bookmarked === true,
      graded: u.graded === true,
    };
  }).filter((u) => u.id);
  return {
    id: s(b.item_id) ?? '',
    title: s(b.display_name) ?? s(b.sequence_name) ?? '',
    format: s(b.format),
    units,
    position: typeof b.position === 'number' && b.position >= 1 ? b.position : null,
    savePosition: b.save_position !== false,
    hiddenAfterDue: b.is_hidden_after_due === true,
    bannerText: s(b.banner_text),
    timeLimited: b.is_time_limited === true,
  };
}

/**
 * The unit a sequence route shows: the unit named in the route, `first`/`last`,
 * or with none the saved position (as the MFE's sequence-to-unit redirect).
 */
export function resolveUnit(seq: Sequence, unitId: string | undefined): SequenceUnit | null {
  if (seq.units.length === 0) return null;
  if (unitId === 'first') return seq.units[0];
  if (unitId === 'last') return seq.units[seq.units.length - 1];
  if (unitId) return seq.units.find((u) => u.id === unitId) ?? null;
  const at = seq.position && seq.position <= seq.units.length ? seq.position - 1 : 0;
  return seq.units[at];
}

export interface NavTarget {
  sequenceId: string;
  /** A unit id, or `first`/`last` of a neighbouring sequence. */
  unitId: string;
}

/**
 * Previous and next from a unit: inside the sequence, else across into the
 * neighbouring sequence of the outline (its last unit going back, first going on).
 */
export function neighbours(
  order: string[],
  seq: Sequence,
  unitId: string | null,
): { prev: NavTarget | null; next: NavTarget | null } {
  const i = unitId ? seq.units.findIndex((u) => u.id === unitId) : -1;
  const at = order.indexOf(seq.id);
  let prev: NavTarget | null = null;
  let next: NavTarget | null = null;
  if (i > 0) prev = { sequenceId: seq.id, unitId: seq.units[i - 1].id };
  else if (at > 0) prev = { sequenceId: order[at - 1], unitId: 'last' };
  if (i >= 0 && i < seq.units.length - 1) next = { sequenceId: seq.id, unitId: seq.units[i + 1].id };
  else if (at >= 0 && at < order.length - 1) next = { sequenceId: order[at + 1], unitId: 'first' };
  return { prev, next };
}

/** A route's `sequenceId` may name a section (jump_to to a chapter): its first sequence. */
export function sequenceForRoute(outline: CourseOutline | null, id: string): string | null {
  if (!id.includes('type@chapter')) return id;
  return outline?.sections.find((x) => x.id === id)?.sequences[0]?.id ?? null;
}

// ---- dates -----------------------------------------------------------------

export interface DateBlock {
  date: string;
  type: string;
  title: string;
  description: string;
  link: string | null;
  assignmentType: string | null;
  complete: boolean;
}

export function parseDates(body: unknown): DateBlock[] {
  return arr(o(body).course_date_blocks)
    .map((x) => o(x))
    .filter((d) => s(d.date))
    .map((d) => ({
      date: s(d.date)!,
      type: s(d.date_type) ?? '',
      title: s(d.title) ?? '',
      description: s(d.description) ?? '',
      link: s(d.link),
      assignmentType: s(d.assignment_type),
      complete: d.complete === true,
    }));
}

// ---- progress --------------------------------------------------------------

export interface AssignmentTypeGrade {
  type: string;
  shortLabel: string;
  /** Share of the course grade, 0..1. */
  weight: number;
  /** The learner's average over this type after drops, 0..1. */
  average: number;
  /** What it adds to the course grade, 0..1 (average × weight). */
  weighted: number;
  numTotal: number;
  numDroppable: number;
}

export interface SubsectionScore {
  id: string;
  title: string;
  assignmentType: string | null;
  earned: number;
  possible: number;
  graded: boolean;
  showGrades: boolean;
  url: string | null;
  problems: { earned: number; possible: number }[];
}

export interface Cutoff {
  letter: string;
  /** 0..1 */
  cutoff: number;
}

export interface Progress {
  percent: number;
  letter: string | null;
  isPassing: boolean;
  cutoffs: Cutoff[];
  assignmentTypes: AssignmentTypeGrade[];
  sections: { title: string; subsections: SubsectionScore[] }[];
  completion: { complete: number; incomplete: number; locked: number };
  graphDisabled: boolean;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** The grade cutoffs, lowest first (grading_policy.grade_range {letter: cutoff}). */
export function parseCutoffs(range: unknown): Cutoff[] {
  return Object.entries(o(range))
    .filter(([, v]) => typeof v === 'number')
    .map(([letter, v]) => ({ letter, cutoff: clamp01(v as number) }))
    .sort((a, b) => a.cutoff - b.cutoff);
}

/** GET /api/course_home/v1/progress/{course}. */
export function parseProgress(body: unknown): Progress {
  const b = o(body);
  const grade = o(b.course_grade);
  const types = arr(b.assignment_type_grade_summary).map((x) => {
    const t = o(x);
    const weight = clamp01(n(t.weight));
    const average = clamp01(n(t.average_grade));
    return {
      type: s(t.type) ?? '',
      shortLabel: s(t.short_label) ?? '',
      weight,
      average,
      weighted: typeof t.weighted_grade === 'number' ? clamp01(t.weighted_grade) : average * weight,
      numTotal: n(t.num_total),
      numDroppable: n(t.num_droppable),
    };
  });
  const sections = arr(b.section_scores).map((x) => {
    const sec = o(x);
    return {
      title: s(sec.display_name) ?? '',
      subsections: arr(sec.subsections).map((y) => {
        const sub = o(y);
        return {
          id: s(sub.block_key) ?? '',
          title: s(sub.display_name) ?? '',
          assignmentType: s(sub.assignment_type),
          earned: n(sub.num_points_earned),
          possible: n(sub.num_points_possible),
          graded: sub.has_graded_assignment === true,
          showGrades: sub.show_grades !== false,
          url: s(sub.url),
          problems: arr(sub.problem_scores).map((p) => ({ earned: n(o(p).earned), possible: n(o(p).possible) })),
        };
      }),
    };
  });
  const completion = o(b.completion_summary);
  return {
    percent: clamp01(n(grade.percent)),
    letter: s(grade.letter_grade),
    isPassing: grade.is_passing === true,
    cutoffs: parseCutoffs(o(b.grading_policy).grade_range),
    assignmentTypes: types,
    sections,
    completion: {
      complete: n(completion.complete_count),
      incomplete: n(completion.incomplete_count),
      locked: n(completion.locked_count),
    },
    graphDisabled: b.disable_progress_graph === true,
  };
}

/** Whole percent as the MFE shows grades (rounded half up, never above 100). */
export function toPercent(fraction: number): number {
  return Math.min(100, Math.round(clamp01(fraction) * 100 + 1e-9));
}

/** The lowest passing cutoff (0..1), or null for a course without cutoffs. */
export function passingCutoff(cutoffs: Cutoff[]): number | null {
  return cutoffs.length ? cutoffs[0].cutoff : null;
}

/** Percentage points still needed to pass (0 when passing or no cutoff). */
export function pointsToPass(percent: number, cutoffs: Cutoff[]): number {
  const pass = passingCutoff(cutoffs);
  if (pass === null) return 0;
  return Math.max(0, toPercent(pass) - toPercent(percent));
}

/** Sum of the graded subsections' points: {earned, possible}. */
export function gradedTotals(p: Progress): { earned: number; possible: number } {
  let earned = 0;
  let possible = 0;
  for (const sec of p.sections) {
    for (const sub of sec.subsections) {
      if (!sub.graded) continue;
      earned += sub.earned;
      possible += sub.possible;
    }
  }
  return { earned, possible };
}

/** A score for display: integers as is, else at most two decimals. */
export function formatPoints(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Math.round(x * 100) / 100);
}
