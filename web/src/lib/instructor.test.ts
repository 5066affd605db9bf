import { describe, expect, it } from 'vitest';
import {
  accessOutcome,
  enrollmentOutcome,
  parseCourseInfo,
  parseDownloads,
  parseEnrollmentReply,
  parseGradebook,
  parseIdentifiers,
  parseProblems,
  parseProgressUrl,
  parseScore,
  parseTasks,
  taskRunning,
} from './instructor';

describe('parseIdentifiers', () => {
  it('splits on commas, semicolons, new lines and spaces', () => {
    expect(parseIdentifiers('ada, bob@example.com\ncyd;dee\r\n  eve\tfay')).toEqual([
      'ada', 'bob@example.com', 'cyd', 'dee', 'eve', 'fay',
    ]);
  });
  it('drops empty entries and keeps the first of duplicates (emails without case)', () => {
    expect(parseIdentifiers(',,\n ada,,Ada, ada\nBob@Example.com bob@example.com\n')).toEqual([
      'ada', 'Ada', 'Bob@Example.com',
    ]);
  });
  it('gives nothing for a blank paste', () => {
    expect(parseIdentifiers('  \n , ')).toEqual([]);
  });
});

const state = (user: boolean, enrollment: boolean, allowed = false, auto = false) => ({
  user, enrollment, allowed, auto_enroll: auto,
});

describe('enrollment results', () => {
  it('maps each row as membership.js does', () => {
    expect(enrollmentOutcome('enroll', { identifier: 'x', invalidIdentifier: true })).toBe('invalid');
    expect(enrollmentOutcome('enroll', { identifier: 'x', error: true })).toBe('error');
    expect(enrollmentOutcome('enroll', { before: state(true, false), after: state(true, true) })).toBe('enrolled');
    expect(enrollmentOutcome('enroll', { before: state(true, true), after: state(true, true) })).toBe('alreadyEnrolled');
    expect(enrollmentOutcome('enroll', { before: state(false, false), after: state(false, false, true) })).toBe('allowed');
    expect(enrollmentOutcome('enroll', { before: state(false, false), after: state(false, false, true, true) })).toBe('allowedAuto');
    expect(enrollmentOutcome('unenroll', { before: state(true, true), after: state(true, false) })).toBe('unenrolled');
    expect(enrollmentOutcome('unenroll', { before: state(false, false, true), after: state(false, false) })).toBe('unenrolled');
    expect(enrollmentOutcome('unenroll', { before: state(true, false), after: state(true, false) })).toBe('notEnrolled');
  });
  it('reads the whole reply, in order', () => {
    const reply = parseEnrollmentReply({
      action: 'enroll',
      auto_enroll: false,
      results: [
        { identifier: 'ada', before: state(true, false), after: state(true, true) },
        { identifier: 'nobody@', invalidIdentifier: true },
      ],
    });
    expect(reply).toEqual({
      action: 'enroll',
      results: [
        { identifier: 'ada', outcome: 'enrolled' },
        { identifier: 'nobody@', outcome: 'invalid' },
      ],
    });
    expect(parseEnrollmentReply('oops')).toEqual({ action: 'enroll', results: [] });
  });
});

describe('modify_access replies', () => {
  it('maps upstream bodies', () => {
    expect(accessOutcome({ unique_student_identifier: 'a', rolename: 'staff', action: 'allow', success: 'yes' })).toBe('done');
    expect(accessOutcome({ unique_student_identifier: 'a', userDoesNotExist: true })).toBe('noUser');
    expect(accessOutcome({ unique_student_identifier: 'a', inactiveUser: true })).toBe('inactive');
    expect(accessOutcome({ unique_student_identifier: 'a', removingSelfAsInstructor: true })).toBe('removingSelf');
    expect(accessOutcome("unknown rolename 'x'")).toBe('failed');
  });
});

describe('tasks, downloads, gradebook', () => {
  it('reads list_instructor_tasks', () => {
    const [t] = parseTasks({
      tasks: [{ task_type: 'grade_course', task_input: '{}', task_id: 'u1', requester: 'staff', task_state: 'PROGRESS',
        created: '2026-01-15T18:00:15+00:00', duration_sec: 'unknown', status: 'Incomplete', task_message: 'Status: graded 1 of 4' }],
    });
    expect(t).toMatchObject({ id: 'u1', type: 'grade_course', state: 'PROGRESS', message: 'Status: graded 1 of 4' });
    expect(taskRunning(t)).toBe(true);
    expect(taskRunning({ ...t, state: 'SUCCESS' })).toBe(false);
    expect(parseTasks({})).toEqual([]);
  });
  it('keeps only safe download links', () => {
    expect(parseDownloads({ downloads: [
      { name: 'a.csv', url: '/courses/c/instructor/reports/1/a.csv', link: '<a>' },
      { name: 'b.csv', url: 'javascript:alert(1)' },
      { name: '', url: '/x' },
    ] })).toEqual([{ name: 'a.csv', url: '/courses/c/instructor/reports/1/a.csv' }]);
  });
  it('reads a gradebook page and a single learner', () => {
    const entry = { user_id: 7, username: 'ada', email: '', percent: 0.5, letter_grade: 'Pass', passed: true,
      section_breakdown: [{ attempted: true, category: 'Homework', label: 'HW 01', module_id: 'block-v1:x',
        percent: 0.5, score_earned: 1, score_possible: 2, subsection_name: 'Week 1' }] };
    const page = parseGradebook({ next: null, previous: null, results: [entry], total_users_count: 3, filtered_users_count: 1 });
    expect(page.total).toBe(3);
    expect(page.filtered).toBe(1);
    expect(page.learners[0]).toMatchObject({ userId: 7, username: 'ada', letterGrade: 'Pass' });
    expect(page.learners[0].subsections[0]).toMatchObject({ label: 'HW 01', earned: 1, possible: 2 });
    expect(parseGradebook(entry).learners).toHaveLength(1);
  });
  it('reads the progress URL, the score typed and the course', () => {
    expect(parseProgressUrl({ progress_url: '/learning/course/c/progress/7/' })).toBe('/learning/course/c/progress/7/');
    expect(parseProgressUrl({ progress_url: '//evil.example/' })).toBeNull();
    expect(parseScore(' 2.5 ')).toBe(2.5);
    expect(parseScore('3,5')).toBe(3.5);
    expect(parseScore('-1')).toBeNull();
    expect(parseScore('')).toBeNull();
    expect(parseCourseInfo({ id: 'c', name: 'Demo', original_user_is_staff: true, start: '2013-02-05T05:00:00Z', end: null }))
      .toMatchObject({ id: 'c', name: 'Demo', isStaff: true, start: '2013-02-05T05:00:00Z', end: null });
    expect(parseCourseInfo({ is_staff: false }).isStaff).toBe(false);
  });
});

describe('parseProblems', () => {
  it('keeps the problems of a list or dict reply', () => {
    const blocks = [
      { id: 'block-v1:x+type@problem+block@a', type: 'problem', display_name: 'Text input' },
      { id: 'block-v1:x+type@html+block@b', type: 'html', display_name: 'Intro' },
      { id: 'block-v1:x+type@problem+block@c', type: 'problem', display_name: '' },
    ];
    const want = [
      { id: 'block-v1:x+type@problem+block@a', name: 'Text input' },
      { id: 'block-v1:x+type@problem+block@c', name: 'block-v1:x+type@problem+block@c' },
    ];
    expect(parseProblems(blocks)).toEqual(want);
    expect(parseProblems({ root: 'r', blocks: Object.fromEntries(blocks.map((b) => [b.id, b])) })).toEqual(want);
    expect(parseProblems(null)).toEqual([]);
  });
});
