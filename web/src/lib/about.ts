// What the course about page shows: the enrollment state from the Courses API
// detail, the enrollment API's course details and the learner's enrollment.

export interface CourseMode {
  slug: string;
  name: string;
  minPrice: number;
  currency: string;
  description: string | null;
}

export interface CourseEnrollmentDetails {
  invite_only?: boolean;
  enrollment_start?: string | null;
  enrollment_end?: string | null;
  course_modes?: { slug: string; name: string; min_price: number; currency: string; description?: string | null }[];
}

export type EnrollState =
  | { kind: 'enrolled' }
  | { kind: 'invitation-only' }
  | { kind: 'not-open-yet'; opens: Date }
  | { kind: 'closed' }
  | { kind: 'open'; modes: CourseMode[] };

// Modes a learner may choose without paying (the enrollment API refuses others: 403).
export const FREE_MODES = new Set(['audit', 'honor']);

export function modesOf(details: CourseEnrollmentDetails | null): CourseMode[] {
  const modes = details?.course_modes ?? [];
  const out = modes.map((m) => ({
    slug: m.slug,
    name: m.name || m.slug,
    minPrice: typeof m.min_price === 'number' ? m.min_price : 0,
    currency: (m.currency || 'usd').toUpperCase(),
    description: m.description ?? null,
  }));
  return out.length ? out : [{ slug: 'audit', name: 'Audit', minPrice: 0, currency: 'USD', description: null }];
}

export function enrollState(
  details: CourseEnrollmentDetails | null,
  enrolled: boolean,
  now: Date,
): EnrollState {
  if (enrolled) return { kind: 'enrolled' };
  if (details?.invite_only) return { kind: 'invitation-only' };
  const start = details?.enrollment_start ? new Date(details.enrollment_start) : null;
  const end = details?.enrollment_end ? new Date(details.enrollment_end) : null;
  if (start && start.getTime() > now.getTime()) return { kind: 'not-open-yet', opens: start };
  if (end && end.getTime() <= now.getTime()) return { kind: 'closed' };
  return { kind: 'open', modes: modesOf(details) };
}

/** The mode preselected when several exist: the first free one. */
export function defaultMode(modes: CourseMode[]): string | null {
  return modes.find((m) => FREE_MODES.has(m.slug))?.slug ?? null;
}

/** Course authors' overview HTML without scripts, event handlers or javascript: links. */
export function sanitizeHtml(html: string): string {
  const doc = new DOMParser().parseFromString(`<div>${html}</div>`, 'text/html');
  const root = doc.body.firstElementChild as HTMLElement | null;
  if (!root) return '';
  root.querySelectorAll('script,style,iframe,object,embed,form,link,meta,base').forEach((n) => n.remove());
  // Authors' images without a text alternative are treated as decorative.
  root.querySelectorAll('img:not([alt])').forEach((img) => img.setAttribute('alt', ''));
  root.querySelectorAll('*').forEach((el) => {
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      const value = attr.value.trim().toLowerCase();
      if (name.startsWith('on') || ((name === 'href' || name === 'src') && value.startsWith('javascript:'))) {
        el.removeAttribute(attr.name);
      }
    }
  });
  return root.innerHTML;
}
