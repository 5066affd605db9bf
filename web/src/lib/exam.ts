// Timed exams in the player, as the learning MFE runs them with
// frontend-lib-special-exams (legacy attempt API): the exam and attempt of a
// time-limited sequence, which screen to show, and the countdown's maths.

import { courseKeyInPath } from '../components/CourseCard';

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const s = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export const EXAM_BASE = '/api/edx_proctoring/v1/proctored_exam';

/** GET attempt/course_id/{course}?content_id={sequence}&is_learning_mfe=true: the exam with its attempt. */
export function examUrl(courseId: string, sequenceId: string): string {
  return `${EXAM_BASE}/attempt/course_id/${courseKeyInPath(courseId)}?content_id=${encodeURIComponent(sequenceId)}&is_learning_mfe=true`;
}

export type AttemptStatus =
  | 'created' | 'started' | 'ready_to_submit' | 'submitted' | 'error' | 'declined' | string;

export interface ExamAttempt {
  id: number;
  status: AttemptStatus;
  /** Seconds left when the answer was read (0 before the start and after the end). */
  timeRemaining: number;
  /** Below these many seconds the timer warns (20% and 5% of the allowed time upstream). */
  lowThreshold: number;
  criticalThreshold: number;
  displayName: string;
  examType: string;
  urlPath: string | null;
}

export interface Exam {
  id: number;
  name: string;
  type: string;
  timeLimitMins: number;
  /** "30 minutes", "1 hour and 30 minutes", with the learner's extra time. */
  totalTime: string | null;
  passedDueDate: boolean;
  hideAfterDue: boolean;
  attempt: ExamAttempt | null;
}

function parseAttempt(raw: unknown): ExamAttempt | null {
  const a = o(raw);
  const id = num(a.attempt_id);
  if (id === null) return null;
  const remaining = Math.max(0, num(a.time_remaining_seconds) ?? 0);
  return {
    id,
    status: s(a.attempt_status) ?? 'created',
    timeRemaining: remaining,
    lowThreshold: num(a.low_threshold_sec) ?? 0,
    criticalThreshold: num(a.critically_low_threshold_sec) ?? 0,
    displayName: s(a.exam_display_name) ?? '',
    examType: s(a.exam_type) ?? 'a timed exam',
    urlPath: s(a.exam_url_path),
  };
}

/** The reply of {@link examUrl}; null when the sequence is no exam (`exam: {}`). */
export function parseExam(body: unknown): Exam | null {
  const b = o(body);
  const e = o(b.exam);
  const id = num(e.id);
  if (id === null) return null;
  const timeLimitMins = num(e.time_limit_mins) ?? 0;
  const attempt = parseAttempt(e.attempt) ?? null;
  const active = parseAttempt(b.active_attempt);
  // The running attempt carries the clock; the exam's own attempt its status.
  const merged = attempt && active && active.id === attempt.id ? { ...attempt, ...active } : attempt;
  return {
    id,
    name: s(e.exam_name) ?? '',
    type: s(e.type) ?? 'timed',
    timeLimitMins,
    totalTime: s(e.total_time) ?? (merged ? null : humanizeTime(timeLimitMins * 60)),
    passedDueDate: e.passed_due_date === true,
    hideAfterDue: e.hide_after_due === true,
    attempt: merged,
  };
}

export type ExamScreen = 'content' | 'start' | 'ready_to_submit' | 'submitted' | 'timed_out' | 'expired' | 'error';

const STARTED = new Set(['started', 'ready_to_submit']);

export function isRunning(exam: Exam): boolean {
  return !!exam.attempt && STARTED.has(exam.attempt.status);
}

/**
 * Which screen the exam shows (frontend-lib-special-exams Instructions):
 * past due without a completed attempt the expired page, no attempt the start
 * page, a running attempt the content (ready_to_submit the "are you sure"
 * page), a submitted one the submitted page, or the content again once the
 * due date has passed unless the subsection hides after due.
 */
export function examScreen(exam: Exam, timedOut = false): ExamScreen {
  const a = exam.attempt;
  const incomplete = !a || a.status === 'created' || STARTED.has(a.status);
  if (exam.passedDueDate && incomplete) return 'expired';
  if (!a || a.status === 'created') return 'start';
  if (a.status === 'started') return 'content';
  if (a.status === 'ready_to_submit') return 'ready_to_submit';
  if (a.status === 'submitted') {
    if (exam.passedDueDate && !exam.hideAfterDue) return 'content';
    return timedOut ? 'timed_out' : 'submitted';
  }
  return 'error';
}

// ---- the countdown ------------------------------------------------------------

/** Seconds the timer holds at 00:00:00 before the attempt is submitted (upstream GRACE_PERIOD_SECS). */
export const GRACE_SECONDS = 5;
/** How often a running attempt is read again (upstream POLL_INTERVAL). */
export const POLL_SECONDS = 60;

export type TimerLevel = 'normal' | 'low' | 'critical' | 'zero' | 'over';

/** The timer's state for whole seconds left (TimerProvider.processTimeLeft). */
export function timerLevel(secondsLeft: number, low: number, critical: number): TimerLevel {
  if (secondsLeft <= -GRACE_SECONDS) return 'over';
  if (secondsLeft <= 0) return 'zero';
  if (secondsLeft <= critical) return 'critical';
  if (secondsLeft <= low) return 'low';
  return 'normal';
}

/** Whole seconds left at `now` for a deadline in epoch milliseconds (floored, as upstream). */
export function secondsLeft(deadlineMs: number, nowMs: number): number {
  return Math.floor((deadlineMs - nowMs) / 1000);
}

/** hh:mm:ss, never negative (the grace period shows 00:00:00). */
export function formatClock(seconds: number): string {
  const t = Math.max(0, Math.floor(seconds));
  const pad = (x: number) => String(x).padStart(2, '0');
  return `${pad(Math.floor(t / 3600))}:${pad(Math.floor(t / 60) % 60)}:${pad(t % 60)}`;
}

/** "1 hour and 5 minutes", "2 hours and 1 minute", "0 minutes" (helpers.generateHumanizedTime). */
export function humanizeTime(seconds: number): string {
  const t = Math.max(0, seconds);
  const hours = Math.floor(t / 3600);
  const minutes = Math.floor(t / 60) % 60;
  let out = '';
  if (hours !== 0) out += `${hours} hour${hours >= 2 ? 's' : ''} and `;
  return `${out}${minutes} minute${minutes !== 1 ? 's' : ''}`;
}

/** Whole minutes, rounded up, for the warnings ("less than N minutes"). */
export function minutesCeil(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60));
}
