// The registration form: fields from the form description
// (GET /api/user/v1/account/registration/), client checks, and the server's
// error bodies (400/409 from registration, validation_decisions from
// /api/user/v1/validation/registration) turned into one message per field.

export interface FieldOption {
  value: string;
  name: string;
  default?: boolean;
}

export interface FieldSpec {
  name: string;
  label: string;
  type: 'text' | 'email' | 'password' | 'checkbox' | 'select' | 'textarea' | string;
  required: boolean;
  instructions: string;
  placeholder: string;
  options: FieldOption[];
  minLength?: number;
  maxLength?: number;
  defaultValue: string;
}

export type FormValues = Record<string, string | boolean>;
export type FieldErrors = Record<string, string>;

// Open edX's choices for the standard select fields, when the description has none.
const STANDARD_OPTIONS: Record<string, FieldOption[]> = {
  gender: [
    { value: 'f', name: 'Female' },
    { value: 'm', name: 'Male' },
    { value: 'o', name: 'Other/Prefer Not to Say' },
  ],
  level_of_education: [
    { value: 'p', name: 'Doctorate' },
    { value: 'm', name: "Master's or professional degree" },
    { value: 'b', name: "Bachelor's degree" },
    { value: 'a', name: 'Associate degree' },
    { value: 'hs', name: 'Secondary/high school' },
    { value: 'jhs', name: 'Junior secondary/junior high/middle school' },
    { value: 'el', name: 'Elementary/primary school' },
    { value: 'none', name: 'No formal education' },
    { value: 'o', name: 'Other education' },
  ],
};

function yearOptions(now: number): FieldOption[] {
  const years: FieldOption[] = [];
  for (let y = now; y >= now - 120; y -= 1) years.push({ value: String(y), name: String(y) });
  return years;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

export function fieldsFromDescription(description: unknown, now = new Date().getFullYear()): FieldSpec[] {
  const raw = (description as { fields?: unknown })?.fields;
  if (!Array.isArray(raw)) return [];
  const fields: FieldSpec[] = [];
  for (const f of raw) {
    if (!f || typeof f !== 'object' || typeof f.name !== 'string' || f.type === 'hidden') continue;
    let options: FieldOption[] = Array.isArray(f.options)
      ? f.options
          .filter((o: unknown) => o && typeof o === 'object')
          .map((o: Record<string, unknown>) => ({
            value: str(o.value),
            name: str(o.name ?? o.value),
            default: Boolean(o.default),
          }))
      : [];
    if (f.type === 'select' && options.length === 0) {
      options = f.name === 'year_of_birth' ? yearOptions(now) : STANDARD_OPTIONS[f.name] ?? [];
    }
    const restrictions = (f.restrictions ?? {}) as Record<string, unknown>;
    fields.push({
      name: f.name,
      label: str(f.label) || f.name,
      // A select without any choice is typed in.
      type: f.type === 'select' && options.length === 0 ? 'text' : str(f.type) || 'text',
      required: f.required !== false,
      instructions: str(f.instructions),
      placeholder: str(f.placeholder),
      options,
      minLength: typeof restrictions.min_length === 'number' ? restrictions.min_length : undefined,
      maxLength: typeof restrictions.max_length === 'number' ? restrictions.max_length : undefined,
      defaultValue: str(f.defaultValue),
    });
  }
  return fields;
}

export function initialValues(fields: FieldSpec[]): FormValues {
  const values: FormValues = {};
  for (const f of fields) {
    values[f.name] = f.type === 'checkbox' ? false : f.defaultValue || f.options.find((o) => o.default)?.value || '';
  }
  return values;
}

export interface ClientMessages {
  required: (label: string) => string;
  tooShort: (label: string, n: number) => string;
  tooLong: (label: string, n: number) => string;
  email: string;
  mustAgree: string;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The message for one field before asking the server, or '' when it looks fine. */
export function validateField(field: FieldSpec, value: string | boolean, m: ClientMessages): string {
  if (field.type === 'checkbox') return field.required && value !== true ? m.mustAgree : '';
  const text = typeof value === 'string' ? value.trim() : '';
  if (!text) return field.required ? m.required(field.label) : '';
  if (field.minLength !== undefined && text.length < field.minLength) {
    return m.tooShort(field.label, field.minLength);
  }
  if (field.maxLength !== undefined && text.length > field.maxLength) {
    return m.tooLong(field.label, field.maxLength);
  }
  if (field.type === 'email' && !EMAIL_RE.test(text)) return m.email;
  return '';
}

export interface ServerErrors {
  fields: FieldErrors;
  /** What does not belong to a field on the form. */
  general: string[];
  usernameSuggestions: string[];
  errorCode: string | null;
}

function firstMessage(v: unknown): string | null {
  if (typeof v === 'string') return v || null;
  if (Array.isArray(v)) {
    for (const item of v) {
      const m = firstMessage(item);
      if (m) return m;
    }
    return null;
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return firstMessage(o.user_message) ?? firstMessage(o.developer_message);
  }
  return null;
}

/**
 * The registration POST's error body (400 validation, 409 duplicate) as
 * messages next to the fields on the form; the rest is shown above it.
 */
export function mapRegistrationErrors(body: unknown, fieldNames: string[]): ServerErrors {
  const result: ServerErrors = { fields: {}, general: [], usernameSuggestions: [], errorCode: null };
  if (typeof body === 'string') {
    if (body) result.general.push(body);
    return result;
  }
  if (!body || typeof body !== 'object') return result;
  const known = new Set(fieldNames);
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key === 'error_code') {
      result.errorCode = typeof value === 'string' ? value : null;
    } else if (key === 'username_suggestions') {
      if (Array.isArray(value)) result.usernameSuggestions = value.filter((s) => typeof s === 'string');
    } else if (key === 'success' || key === 'redirect_url') {
      // not errors
    } else {
      const message = firstMessage(value);
      if (!message) continue;
      // terms_of_service mirrors honor_code when only the honor code is shown.
      const target = known.has(key) ? key : key === 'terms_of_service' && known.has('honor_code') ? 'honor_code' : null;
      if (target) {
        if (!result.fields[target]) result.fields[target] = message;
      } else {
        result.general.push(message);
      }
    }
  }
  return result;
}

/** validation_decisions: field -> '' (valid) or message. Only the asked fields are kept. */
export function mapValidationDecisions(body: unknown, asked: string[]): FieldErrors {
  const decisions = (body as { validation_decisions?: unknown })?.validation_decisions;
  const out: FieldErrors = {};
  if (!decisions || typeof decisions !== 'object') return out;
  for (const name of asked) {
    const v = (decisions as Record<string, unknown>)[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}

/** The form body for the registration POST: checkboxes as "true", empty optional fields left out. */
export function registrationForm(fields: FieldSpec[], values: FormValues): Record<string, string> {
  const form: Record<string, string> = {};
  for (const f of fields) {
    const v = values[f.name];
    if (f.type === 'checkbox') {
      if (v === true) form[f.name] = 'true';
    } else if (typeof v === 'string' && (v.trim() || f.required)) {
      form[f.name] = f.name === 'password' ? v : v.trim();
    }
  }
  if (form.honor_code && !form.terms_of_service) form.terms_of_service = form.honor_code;
  return form;
}
