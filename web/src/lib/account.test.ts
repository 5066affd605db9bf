import { describe, expect, it } from 'vitest';
import { birthYears, fieldErrors, mergePatch, namedOptions, parseAccount, safeSocialUrl } from './account';
import { parseOutline } from './outline';

describe('accounts API object', () => {
  it('reads the owner view', () => {
    const a = parseAccount({
      username: 'lena', name: 'Lena L', email: 'l@example.com', bio: 'Hi', country: 'FR',
      language_proficiencies: [{ code: 'fr' }, { code: 'en' }, { bad: 1 }],
      social_links: [{ platform: 'twitter', social_link: 'https://www.twitter.com/lena' }, { platform: 'x' }],
      year_of_birth: 1990, account_privacy: 'all_users', requires_parental_consent: false,
      profile_image: { has_image: false, image_url_large: 'http://x/default_120.png' },
      date_joined: '2026-01-02T03:04:05Z', time_zone: 'Europe/Paris',
    });
    expect(a.languages).toEqual(['fr', 'en']);
    expect(a.socialLinks).toEqual([{ platform: 'twitter', social_link: 'https://www.twitter.com/lena' }]);
    expect(a.imageUrl).toBeNull(); // the default picture is not shown as a photo
    expect(a.privacy).toBe('all_users');
    expect(a.present.has('email')).toBe(true);
  });
  it("another user's private profile has only the public fields", () => {
    const a = parseAccount({ username: 'sam', account_privacy: 'private', profile_image: { has_image: true, image_url_large: 'http://x/a_120.jpg' } });
    expect(a.present.has('bio')).toBe(false);
    expect(a.privacy).toBe('private');
    expect(a.imageUrl).toBe('http://x/a_120.jpg');
    expect(a.name).toBeNull();
  });
  it('unknown privacy reads as private', () => {
    expect(parseAccount({ account_privacy: 'everyone' }).privacy).toBe('private');
  });
});

describe('writes', () => {
  it('maps field_errors to one message per field', () => {
    expect(fieldErrors({ field_errors: {
      name: { developer_message: 'dev', user_message: 'Full Name cannot contain the following characters: < >' },
      bio: { developer_message: 'only dev' },
      email: 'plain',
    } })).toEqual({ name: 'Full Name cannot contain the following characters: < >', bio: 'only dev', email: 'plain' });
    expect(fieldErrors({ detail: 'x' })).toEqual({});
    expect(fieldErrors(null)).toEqual({});
  });
  it('a merge patch holds only the changed fields, "" as null where nullable', () => {
    expect(mergePatch({ bio: 'a', country: 'FR', name: 'N' }, { bio: 'a', country: '', name: 'M' }, new Set(['country'])))
      .toEqual({ country: null, name: 'M' });
    expect(mergePatch({ country: null }, { country: '' }, new Set(['country']))).toEqual({});
  });
});

describe('choices', () => {
  it('social links are shown only as https URLs', () => {
    expect(safeSocialUrl('https://www.twitter.com/lena')).toBe('https://www.twitter.com/lena');
    expect(safeSocialUrl('javascript:alert(1)')).toBeNull();
    expect(safeSocialUrl('http://www.twitter.com/lena')).toBeNull();
    expect(safeSocialUrl('lena')).toBeNull();
  });
  it('countries are sorted by their name in the language', () => {
    const en = namedOptions(['FR', 'DE', 'AE'], 'en', 'region');
    expect(en.map(([c]) => c)).toEqual(['FR', 'DE', 'AE']);
    expect(en[0][1]).toBe('France');
  });
  it('years of birth run back 120 years from this one', () => {
    const y = birthYears(new Date('2026-06-01T00:00:00Z'));
    expect(y[0]).toBe(2026);
    expect(y[y.length - 1]).toBe(1906);
  });
});

describe('public outline', () => {
  const body = {
    course_blocks: {
      root: 'c',
      blocks: {
        c: { id: 'c', type: 'course', display_name: 'Course', children: ['s1', 's2', 'gone'] },
        s1: { id: 's1', type: 'chapter', display_name: 'Intro', children: ['q1', 'q2'] },
        s2: { id: 's2', type: 'chapter', display_name: 'Hidden', children: [], hide_from_toc: true },
        q1: { id: 'q1', type: 'sequential', display_name: 'Welcome', children: [] },
        q2: { id: 'q2', type: 'sequential', display_name: 'Quiz (2 Questions)', icon: 'fa-pencil-square-o' },
      },
    },
  };
  it('lists sections and subsections in order, without hidden or missing blocks', () => {
    expect(parseOutline(body)).toEqual([
      { id: 's1', title: 'Intro', subsections: [{ id: 'q1', title: 'Welcome', graded: false }, { id: 'q2', title: 'Quiz (2 Questions)', graded: true }] },
    ]);
  });
  it('is null when the course keeps its outline private', () => {
    expect(parseOutline({ course_blocks: null })).toBeNull();
    expect(parseOutline(null)).toBeNull();
  });
});
