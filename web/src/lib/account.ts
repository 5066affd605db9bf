// The accounts API object (`/api/user/v1/accounts/{username}`) as the profile
// and account settings pages use it: parsing, what another user sees, the
// merge-patch of the changed fields and the server's field errors.

export type Privacy = 'private' | 'all_users' | 'custom';

export interface SocialLink {
  platform: string;
  social_link: string;
}

export interface Account {
  username: string;
  name: string | null;
  email: string | null;
  bio: string | null;
  country: string | null;
  languages: string[];
  socialLinks: SocialLink[];
  yearOfBirth: number | null;
  gender: string | null;
  levelOfEducation: string | null;
  timeZone: string | null;
  privacy: Privacy;
  requiresParentalConsent: boolean;
  dateJoined: string | null;
  imageUrl: string | null;
  /** The fields the API returned: another user's private profile has only the public ones. */
  present: Set<string>;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function parseAccount(body: unknown): Account {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const image = (b.profile_image ?? {}) as Record<string, unknown>;
  const langs = Array.isArray(b.language_proficiencies) ? b.language_proficiencies : [];
  const links = Array.isArray(b.social_links) ? b.social_links : [];
  const privacy = b.account_privacy === 'all_users' || b.account_privacy === 'custom' ? b.account_privacy : 'private';
  return {
    username: str(b.username) ?? '',
    name: str(b.name),
    email: str(b.email),
    bio: str(b.bio),
    country: str(b.country),
    languages: langs
      .map((l) => (l && typeof l === 'object' ? str((l as Record<string, unknown>).code) : null))
      .filter((c): c is string => Boolean(c)),
    socialLinks: links
      .filter((l): l is SocialLink => Boolean(l) && typeof l === 'object' && typeof l.platform === 'string' && typeof l.social_link === 'string' && l.social_link !== '')
      .map((l) => ({ platform: l.platform, social_link: l.social_link })),
    yearOfBirth: typeof b.year_of_birth === 'number' ? b.year_of_birth : null,
    gender: str(b.gender),
    levelOfEducation: str(b.level_of_education),
    timeZone: str(b.time_zone),
    privacy,
    requiresParentalConsent: b.requires_parental_consent === true,
    dateJoined: str(b.date_joined),
    imageUrl: image.has_image === true ? str(image.image_url_large) ?? str(image.image_url_full) : null,
    present: new Set(Object.keys(b)),
  };
}

/** A link shown on a profile only when it is an https URL (the server stores https://www.<site>/...). */
export function safeSocialUrl(link: string): string | null {
  try {
    const url = new URL(link);
    return url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}

export const SOCIAL_PLATFORMS = ['facebook', 'twitter', 'linkedin'] as const;

/** The server's `{"field_errors": {field: {user_message}}}` as one message per field. */
export function fieldErrors(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const errors = body && typeof body === 'object' ? (body as Record<string, unknown>).field_errors : null;
  if (!errors || typeof errors !== 'object') return out;
  for (const [field, e] of Object.entries(errors as Record<string, unknown>)) {
    if (typeof e === 'string') out[field] = e;
    else if (e && typeof e === 'object') {
      const m = (e as Record<string, unknown>).user_message ?? (e as Record<string, unknown>).developer_message;
      if (typeof m === 'string' && m) out[field] = m;
    }
  }
  return out;
}

/** The entries of `draft` that differ from `saved` (a merge patch: "" is sent as null where `nullable`). */
export function mergePatch(
  saved: Record<string, unknown>,
  draft: Record<string, unknown>,
  nullable: ReadonlySet<string> = new Set(),
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(draft)) {
    const v = value === '' && nullable.has(key) ? null : value;
    const s = saved[key] === '' && nullable.has(key) ? null : saved[key] ?? null;
    if (JSON.stringify(v) !== JSON.stringify(s)) patch[key] = v;
  }
  return patch;
}

// The country codes the accounts API accepts (ISO 3166-1 alpha-2 and XK).
export const COUNTRY_CODES = (
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ ' +
  'BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM ' +
  'DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS ' +
  'GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN ' +
  'KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ ' +
  'MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM ' +
  'PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV ' +
  'SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI ' +
  'VN VU WF WS XK YE YT ZA ZM ZW'
).split(' ');

// Languages offered for language_proficiencies (ISO 639-1, the common ones).
export const LANGUAGE_CODES = (
  'ar bn de el en es fa fr he hi id it ja ko ms nl pl pt ro ru sv sw ta th tr uk ur vi zh'
).split(' ');

function displayNames(locale: string, type: 'region' | 'language'): (code: string) => string {
  try {
    const names = new Intl.DisplayNames([locale], { type });
    return (code) => names.of(code) ?? code;
  } catch {
    return (code) => code;
  }
}

/** [code, name] pairs sorted by name in `locale`. */
export function namedOptions(codes: string[], locale: string, type: 'region' | 'language'): [string, string][] {
  const name = displayNames(locale, type);
  const collator = new Intl.Collator(locale);
  return codes.map((c): [string, string] => [c, name(c)]).sort((a, b) => collator.compare(a[1], b[1]));
}

export function displayName(code: string, locale: string, type: 'region' | 'language'): string {
  return displayNames(locale, type)(code);
}

/** Years of birth offered, newest first (upstream's account MFE: the last 120 years). */
export function birthYears(now: Date): number[] {
  const year = now.getFullYear();
  return Array.from({ length: 121 }, (_, i) => year - i);
}

/** The time zones to choose from: the browser's list, or a few when it has none. */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  try {
    const list = intl.supportedValuesOf?.('timeZone');
    if (list && list.length) return list.includes('UTC') ? list : ['UTC', ...list];
  } catch {
    // fall through
  }
  return ['UTC', 'America/New_York', 'Europe/London', 'Europe/Paris', 'Asia/Dubai', 'Asia/Tokyo'];
}
