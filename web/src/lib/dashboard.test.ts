import { describe, expect, it } from 'vitest';
import { parseEnrollmentList, parseLearnerHome } from './dashboard';

describe('learner home', () => {
  it('reads course cards, skips entitlements without a run, reads suggestions', () => {
    const d = parseLearnerHome({
      emailConfirmation: { isNeeded: true, sendEmailUrl: '/x' },
      suggestedCourses: [{ courseName: 'Other', courseUrl: '/courses/o/about', bannerImgSrc: null }, { courseName: '' }],
      courses: [
        {
          course: { courseName: 'Demo', courseNumber: 'DemoX', bannerImgSrc: '/img.png' },
          courseProvider: { name: 'edX' },
          courseRun: { courseId: 'course-v1:edX+DemoX+Demo_Course', isStarted: true, isArchived: false, resumeUrl: '/r', homeUrl: '/h', progressUrl: '/p', upgradeUrl: '/u' },
          enrollment: { mode: 'audit', canUpgrade: true },
          certificate: { isDownloadable: false, isEarned: true },
          gradeData: { isPassing: true },
        },
        { course: { courseName: 'Entitlement' }, courseRun: null },
      ],
    });
    expect(d.courses).toHaveLength(1);
    expect(d.courses[0]).toMatchObject({ name: 'Demo', provider: 'edX', resumeUrl: '/r', canUpgrade: true, certificate: 'earned', isPassing: true });
    expect(d.suggestions).toEqual([{ name: 'Other', url: '/courses/o/about', imageUrl: null }]);
    expect(d.emailConfirmationNeeded).toBe(true);
  });

  it('falls back to the enrollment list', () => {
    const d = parseEnrollmentList([
      { is_active: true, mode: 'honor', course_details: { course_id: 'course-v1:Org+N1+R', course_name: 'One', course_start: '2030-01-01T00:00:00Z', course_end: null } },
      { is_active: false, course_details: { course_id: 'course-v1:Org+N2+R' } },
    ], new Date('2026-01-01T00:00:00Z'));
    expect(d.courses).toHaveLength(1);
    expect(d.courses[0]).toMatchObject({ courseId: 'course-v1:Org+N1+R', provider: 'Org', number: 'N1', isStarted: false, homeUrl: '/learning/course/course-v1:Org+N1+R/home' });
  });
});
