import { describe, expect, it } from 'vitest';
import {
  coursewarePath, gradedTotals, learningPathOf, neighbours, parseCourseMeta, parseCutoffs, parseOutline,
  parseProgress, parseSequence, passingCutoff, pointsToPass, resolveUnit, sequenceForRoute, toPercent,
} from './learning';
import type { Sequence } from './learning';

const C = 'course-v1:edX+DemoX+Demo_Course';
const b = (type: string, id: string) => `block-v1:edX+DemoX+Demo_Course+type@${type}+block@${id}`;

function seq(id: string, units: string[], position: number | null = null): Sequence {
  return {
    id: b('sequential', id),
    title: id,
    format: null,
    units: units.map((u) => ({ id: b('vertical', u), title: u, type: 'other', complete: false, bookmarked: false, graded: false })),
    position,
    savePosition: true,
    hiddenAfterDue: false,
    bannerText: null,
    timeLimited: false,
  };
}

describe('previous and next', () => {
  const order = ['s1', 's2', 's3'].map((x) => b('sequential', x));
  const s2 = seq('s2', ['a', 'b', 'c']);

  it('moves inside the sequence', () => {
    const nav = neighbours(order, s2, b('vertical', 'b'));
    expect(nav.prev).toEqual({ sequenceId: s2.id, unitId: b('vertical', 'a') });
    expect(nav.next).toEqual({ sequenceId: s2.id, unitId: b('vertical', 'c') });
  });

  it('crosses into the neighbouring sequences at the ends', () => {
    expect(neighbours(order, s2, b('vertical', 'a')).prev).toEqual({ sequenceId: order[0], unitId: 'last' });
    expect(neighbours(order, s2, b('vertical', 'c')).next).toEqual({ sequenceId: order[2], unitId: 'first' });
  });

  it('stops at the start and the end of the course', () => {
    const first = seq('s1', ['x']);
    const last = seq('s3', ['y', 'z']);
    expect(neighbours(order, first, b('vertical', 'x')).prev).toBeNull();
    expect(neighbours(order, last, b('vertical', 'z')).next).toBeNull();
    expect(neighbours(order, last, b('vertical', 'z')).prev).toEqual({ sequenceId: last.id, unitId: b('vertical', 'y') });
  });

  it('crosses over an empty sequence from either side', () => {
    const empty = seq('s2', []);
    const nav = neighbours(order, empty, null);
    expect(nav.prev).toEqual({ sequenceId: order[0], unitId: 'last' });
    expect(nav.next).toEqual({ sequenceId: order[2], unitId: 'first' });
  });

  it('resolves first, last, a saved position and an unknown unit', () => {
    expect(resolveUnit(s2, 'first')?.id).toBe(b('vertical', 'a'));
    expect(resolveUnit(s2, 'last')?.id).toBe(b('vertical', 'c'));
    expect(resolveUnit(s2, undefined)?.id).toBe(b('vertical', 'a'));
    expect(resolveUnit(seq('s2', ['a', 'b', 'c'], 2), undefined)?.id).toBe(b('vertical', 'b'));
    expect(resolveUnit(seq('s2', ['a'], 5), undefined)?.id).toBe(b('vertical', 'a'));
    expect(resolveUnit(s2, b('vertical', 'nope'))).toBeNull();
    expect(resolveUnit(seq('s2', []), undefined)).toBeNull();
  });
});

describe('outline', () => {
  const body = {
    course_blocks: {
      root: b('course', 'course'),
      blocks: {
        [b('course', 'course')]: { id: b('course', 'course'), type: 'course', children: [b('chapter', 'c1'), b('chapter', 'c2')] },
        [b('chapter', 'c1')]: { id: b('chapter', 'c1'), display_name: 'One', complete: true, children: [b('sequential', 's1')] },
        [b('chapter', 'c2')]: { id: b('chapter', 'c2'), display_name: 'Two', children: [b('sequential', 's2'), b('sequential', 'hidden')] },
        [b('sequential', 's1')]: { id: b('sequential', 's1'), display_name: 'S1', complete: true, description: 'Homework', icon: 'fa-pencil-square-o' },
        [b('sequential', 's2')]: { id: b('sequential', 's2'), display_name: 'S2', due: '2030-01-01T00:00:00Z' },
        [b('sequential', 'hidden')]: { id: b('sequential', 'hidden'), hide_from_toc: true },
      },
    },
    resume_course: { has_visited_course: true, url: 'http://h/courses/x/jump_to/y' },
    handouts_html: '  <ol><li>x</li></ol> ',
    welcome_message_html: null,
  };

  it('orders sections and sequences and drops hidden ones', () => {
    const o = parseOutline(body);
    expect(o.sections.map((s) => s.title)).toEqual(['One', 'Two']);
    expect(o.sequences.map((s) => s.title)).toEqual(['S1', 'S2']);
    expect(o.sequences[0]).toMatchObject({ complete: true, graded: true, format: 'Homework', sectionTitle: 'One' });
    expect(o.hasVisited).toBe(true);
    expect(o.handoutsHtml).toBe('<ol><li>x</li></ol>');
    expect(o.welcomeHtml).toBeNull();
  });

  it('maps a section in the route to its first sequence', () => {
    const o = parseOutline(body);
    expect(sequenceForRoute(o, b('chapter', 'c2'))).toBe(b('sequential', 's2'));
    expect(sequenceForRoute(o, b('sequential', 's1'))).toBe(b('sequential', 's1'));
    expect(sequenceForRoute(null, b('chapter', 'c2'))).toBeNull();
  });

  it('reads a sequence', () => {
    const s = parseSequence({
      item_id: b('sequential', 's1'),
      display_name: 'S1',
      position: 0,
      items: [{ id: b('vertical', 'u'), page_title: 'U', type: 'problem', complete: true, bookmarked: true }, { page_title: 'no id' }],
    });
    expect(s.units).toHaveLength(1);
    expect(s.units[0]).toMatchObject({ title: 'U', type: 'problem', complete: true, bookmarked: true });
    expect(s.position).toBeNull();
  });
});

describe('tabs and paths', () => {
  it('keeps our tabs as routes and static tabs as links, and drops the rest', () => {
    const meta = parseCourseMeta(C, {
      title: 'Demo',
      org: 'edX',
      tabs: [
        { tab_id: 'courseware', title: 'Course', url: 'http://h/course/x/home' },
        { tab_id: 'discussion', title: 'Discussion', url: 'http://h/d' },
        { tab_id: 'progress', title: 'Progress', url: 'http://h/p' },
        { tab_id: 'static_tab_syllabus', title: 'Syllabus', url: 'http://h/courses/x/syllabus' },
      ],
      course_access: { has_access: false, error_code: 'enrollment_required', user_message: 'You must be enrolled' },
    });
    expect(meta.tabs.map((t) => [t.id, t.path ?? t.url])).toEqual([
      ['courseware', `/learning/course/${C}/home`],
      ['progress', `/learning/course/${C}/progress`],
      ['static_tab_syllabus', 'http://h/courses/x/syllabus'],
      ['dates', `/learning/course/${C}/dates`],
    ]);
    expect(meta.access).toEqual({ hasAccess: false, errorCode: 'enrollment_required', message: 'You must be enrolled' });
  });

  it('reads app paths out of absolute URLs only for learning routes', () => {
    expect(learningPathOf(`http://h:1/learning/course/${C}/home`)).toBe(`/learning/course/${C}/home`);
    expect(learningPathOf('/courses/x/jump_to/y')).toBeNull();
    expect(learningPathOf(null)).toBeNull();
    expect(coursewarePath(C, b('sequential', 's'), b('vertical', 'u'))).toBe(
      `/learning/course/${C}/${b('sequential', 's')}/${b('vertical', 'u')}`,
    );
  });
});

describe('progress maths', () => {
  const body = {
    course_grade: { percent: 0.1875, letter_grade: null, is_passing: false },
    grading_policy: { grade_range: { A: 0.9, Pass: 0.6, B: 0.8, bad: 'x' } },
    assignment_type_grade_summary: [
      { type: 'Homework', short_label: 'Ex', weight: 0.75, average_grade: 0.25, weighted_grade: 0.1875, num_droppable: 1 },
      { type: 'Exam', weight: 0.25, average_grade: 0 },
    ],
    section_scores: [
      {
        display_name: 'Week 1',
        subsections: [
          { block_key: 'a', display_name: 'HW', has_graded_assignment: true, num_points_earned: 1, num_points_possible: 4, problem_scores: [{ earned: 1, possible: 1 }] },
          { block_key: 'b', display_name: 'Practice', has_graded_assignment: false, num_points_earned: 2, num_points_possible: 2 },
        ],
      },
    ],
    completion_summary: { complete_count: 3, incomplete_count: 9 },
  };

  it('sorts the cutoffs and finds the passing one', () => {
    const cutoffs = parseCutoffs(body.grading_policy.grade_range);
    expect(cutoffs.map((c) => c.letter)).toEqual(['Pass', 'B', 'A']);
    expect(passingCutoff(cutoffs)).toBe(0.6);
    expect(passingCutoff([])).toBeNull();
  });

  it('computes the points still needed to pass', () => {
    const p = parseProgress(body);
    expect(toPercent(p.percent)).toBe(19);
    expect(pointsToPass(p.percent, p.cutoffs)).toBe(41);
    expect(pointsToPass(0.7, p.cutoffs)).toBe(0);
    expect(pointsToPass(0.5, [])).toBe(0);
  });

  it('reads the per-type grades, deriving a missing weighted grade', () => {
    const p = parseProgress(body);
    expect(p.assignmentTypes[0]).toMatchObject({ type: 'Homework', weight: 0.75, average: 0.25, weighted: 0.1875, numDroppable: 1 });
    expect(p.assignmentTypes[1].weighted).toBe(0);
    expect(toPercent(0.005)).toBe(1);
    expect(toPercent(1.2)).toBe(100);
  });

  it('totals only graded subsections', () => {
    const p = parseProgress(body);
    expect(gradedTotals(p)).toEqual({ earned: 1, possible: 4 });
    expect(p.completion).toEqual({ complete: 3, incomplete: 9, locked: 0 });
  });
});
