import { describe, expect, it } from 'vitest';
import { examScreen, examUrl, formatClock, humanizeTime, parseExam, secondsLeft, timerLevel } from './exam';

const C = 'course-v1:edX+DemoX+Demo_Course';
const SEQ = 'block-v1:edX+DemoX+Demo_Course+type@sequential+block@exam';
const attempt = (status: string, extra: Record<string, unknown> = {}) => ({
  attempt_id: 7, attempt_status: status, time_remaining_seconds: 1799, low_threshold_sec: 360,
  critically_low_threshold_sec: 90, exam_display_name: 'Final', exam_type: 'a timed exam', ...extra,
});
const body = (a: unknown, exam: Record<string, unknown> = {}) => ({
  exam: { id: 3, exam_name: 'Final', time_limit_mins: 30, type: 'timed', attempt: a ?? {}, total_time: '30 minutes', ...exam },
  active_attempt: a ?? {},
});

describe('the countdown', () => {
  it('formats hh:mm:ss and never shows a negative time', () => {
    expect(formatClock(3725)).toBe('01:02:05');
    expect(formatClock(59.9)).toBe('00:00:59');
    expect(formatClock(-3)).toBe('00:00:00');
    expect(formatClock(100 * 3600)).toBe('100:00:00');
  });

  it('floors the seconds left to a deadline', () => {
    expect(secondsLeft(10_000, 0)).toBe(10);
    expect(secondsLeft(10_000, 500)).toBe(9);
    expect(secondsLeft(10_000, 12_500)).toBe(-3);
  });

  it('warns at the low and critically low thresholds, then holds 5 seconds at zero', () => {
    expect(timerLevel(361, 360, 90)).toBe('normal');
    expect(timerLevel(360, 360, 90)).toBe('low');
    expect(timerLevel(91, 360, 90)).toBe('low');
    expect(timerLevel(90, 360, 90)).toBe('critical');
    expect(timerLevel(1, 360, 90)).toBe('critical');
    expect(timerLevel(0, 360, 90)).toBe('zero');
    expect(timerLevel(-4, 360, 90)).toBe('zero');
    expect(timerLevel(-5, 360, 90)).toBe('over');
  });

  it('humanizes as the library does', () => {
    expect(humanizeTime(30 * 60)).toBe('30 minutes');
    expect(humanizeTime(60)).toBe('1 minute');
    expect(humanizeTime(59)).toBe('0 minutes');
    expect(humanizeTime(90 * 60)).toBe('1 hour and 30 minutes');
    expect(humanizeTime(2 * 3600 + 60)).toBe('2 hours and 1 minute');
  });
});

describe('the exam and its screens', () => {
  it('asks the legacy attempt API for the sequence', () => {
    expect(examUrl(C, SEQ)).toBe(
      `/api/edx_proctoring/v1/proctored_exam/attempt/course_id/${C}?content_id=${encodeURIComponent(SEQ)}&is_learning_mfe=true`,
    );
  });

  it('is no exam for an empty exam object', () => {
    expect(parseExam({ exam: {}, active_attempt: {} })).toBeNull();
    expect(parseExam(null)).toBeNull();
  });

  it('reads the exam and the running attempt', () => {
    const e = parseExam(body(attempt('started')))!;
    expect(e).toMatchObject({ id: 3, name: 'Final', timeLimitMins: 30, totalTime: '30 minutes' });
    expect(e.attempt).toMatchObject({ id: 7, status: 'started', timeRemaining: 1799, lowThreshold: 360, criticalThreshold: 90 });
  });

  it('shows start, content, are-you-sure, submitted', () => {
    expect(examScreen(parseExam(body(null))!)).toBe('start');
    expect(examScreen(parseExam(body(attempt('created')))!)).toBe('start');
    expect(examScreen(parseExam(body(attempt('started')))!)).toBe('content');
    expect(examScreen(parseExam(body(attempt('ready_to_submit')))!)).toBe('ready_to_submit');
    expect(examScreen(parseExam(body(attempt('submitted')))!)).toBe('submitted');
    expect(examScreen(parseExam(body(attempt('submitted')))!, true)).toBe('timed_out');
    expect(examScreen(parseExam(body(attempt('error')))!)).toBe('error');
  });

  it('past due: expired without a completed attempt, the content again after submitting unless hidden', () => {
    expect(examScreen(parseExam(body(null, { passed_due_date: true }))!)).toBe('expired');
    expect(examScreen(parseExam(body(attempt('started'), { passed_due_date: true }))!)).toBe('expired');
    expect(examScreen(parseExam(body(attempt('submitted'), { passed_due_date: true }))!)).toBe('content');
    expect(examScreen(parseExam(body(attempt('submitted'), { passed_due_date: true, hide_after_due: true }))!)).toBe('submitted');
  });
});
