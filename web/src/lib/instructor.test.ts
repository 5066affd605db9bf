import { describe, expect, it } from 'vitest';
import { anyRunning, parseDownloads, parseTasks } from './instructor';

describe('instructor dashboard data', () => {
  it('reads list_instructor_tasks', () => {
    const tasks = parseTasks({
      tasks: [
        {
          task_type: 'grade_course',
          task_id: 'a',
          task_state: 'PROGRESS',
          requester: 'teacher',
          created: '2026-01-01T00:00:00+00:00',
          task_message: 'Progress: graded 1 of 2 so far',
          status: 'Incomplete',
        },
        null,
      ],
    });
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ taskType: 'grade_course', state: 'PROGRESS', complete: false });
    expect(anyRunning(tasks)).toBe(true);
    expect(anyRunning([{ ...tasks[0], state: 'SUCCESS' }])).toBe(false);
    expect(parseTasks('nope')).toEqual([]);
  });

  it('keeps only same-site report links', () => {
    const downloads = parseDownloads({
      downloads: [
        { name: 'r.csv', url: '/courses/x/instructor/reports/1/r.csv', link: '<a>' },
        { name: 'evil.csv', url: 'javascript:alert(1)' },
      ],
    });
    expect(downloads).toEqual([{ name: 'r.csv', url: '/courses/x/instructor/reports/1/r.csv' }]);
  });
});
