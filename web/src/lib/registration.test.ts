import { describe, expect, it } from 'vitest';
import {
  fieldsFromDescription,
  initialValues,
  mapRegistrationErrors,
  mapValidationDecisions,
  registrationForm,
  validateField,
} from './registration';
import type { ClientMessages } from './registration';

const description = {
  fields: [
    { name: 'email', label: 'Email', type: 'email', required: true, restrictions: { min_length: 3, max_length: 254 } },
    { name: 'name', label: 'Full Name', type: 'text', required: true },
    { name: 'username', label: 'Public Username', type: 'text', required: true, restrictions: { min_length: 2, max_length: 30 } },
    { name: 'password', label: 'Password', type: 'password', required: true, restrictions: { min_length: 8 } },
    { name: 'gender', label: 'Gender', type: 'select', required: false, options: [] },
    { name: 'favourite_tree', label: 'Favourite tree', type: 'select', required: false, options: [{ value: 'larch', name: 'Larch', default: true }, 'oak'] },
    { name: 'secret', type: 'hidden' },
    { name: 'honor_code', label: 'I agree', type: 'checkbox', required: true },
  ],
};

const m: ClientMessages = {
  required: (l) => `${l} required`,
  tooShort: (l, n) => `${l} min ${n}`,
  tooLong: (l, n) => `${l} max ${n}`,
  email: 'bad email',
  mustAgree: 'agree',
};

describe('registration form description', () => {
  const fields = fieldsFromDescription(description, 2026);

  it('keeps shown fields in order with their restrictions', () => {
    expect(fields.map((f) => f.name)).toEqual(['email', 'name', 'username', 'password', 'gender', 'favourite_tree', 'honor_code']);
    expect(fields[0]).toMatchObject({ type: 'email', minLength: 3, maxLength: 254, required: true });
    expect(fields[4].options.map((o) => o.value)).toEqual(['f', 'm', 'o']);
    expect(fields[4].required).toBe(false);
  });

  it('preselects a default option; checkboxes start unticked', () => {
    const v = initialValues(fields);
    expect(v.favourite_tree).toBe('larch');
    expect(v.honor_code).toBe(false);
    expect(v.email).toBe('');
  });

  it('checks required, lengths, email shape and agreement', () => {
    expect(validateField(fields[0], '', m)).toBe('Email required');
    expect(validateField(fields[0], 'no-at', m)).toBe('bad email');
    expect(validateField(fields[0], 'a@b.co', m)).toBe('');
    expect(validateField(fields[2], 'x', m)).toBe('Public Username min 2');
    expect(validateField(fields[2], 'x'.repeat(31), m)).toBe('Public Username max 30');
    expect(validateField(fields[4], '', m)).toBe('');
    expect(validateField(fields[6], false, m)).toBe('agree');
    expect(validateField(fields[6], true, m)).toBe('');
  });

  it('sends checkboxes as true, leaves empty optional fields out, mirrors terms_of_service', () => {
    const form = registrationForm(fields, {
      email: ' a@b.co ', name: 'Ana', username: 'ana', password: ' p w ', gender: '', favourite_tree: 'oak', honor_code: true,
    });
    expect(form).toEqual({
      email: 'a@b.co', name: 'Ana', username: 'ana', password: ' p w ', favourite_tree: 'oak', honor_code: 'true', terms_of_service: 'true',
    });
  });
});

describe('server errors', () => {
  const names = ['email', 'username', 'password', 'honor_code'];

  it('puts a 409 duplicate next to email and username with suggestions', () => {
    const r = mapRegistrationErrors(
      {
        email: [{ user_message: 'It looks like a@b.co belongs to an existing account.' }],
        username: [{ user_message: 'It looks like ana belongs to an existing account.' }],
        username_suggestions: ['ana1', 'ana_2'],
        error_code: 'duplicate-email-username',
      },
      names,
    );
    expect(r.fields.email).toMatch(/existing account/);
    expect(r.fields.username).toMatch(/ana belongs/);
    expect(r.usernameSuggestions).toEqual(['ana1', 'ana_2']);
    expect(r.errorCode).toBe('duplicate-email-username');
    expect(r.general).toEqual([]);
  });

  it('maps terms_of_service to the honor code box and unknown fields above the form', () => {
    const r = mapRegistrationErrors(
      { terms_of_service: [{ user_message: 'You must agree.' }], country: [{ user_message: 'Bad country.' }], error_code: 'validation-error' },
      names,
    );
    expect(r.fields).toEqual({ honor_code: 'You must agree.' });
    expect(r.general).toEqual(['Bad country.']);
  });

  it('shows a plain-text 403 above the form', () => {
    expect(mapRegistrationErrors('Account creation not allowed.', names).general).toEqual(['Account creation not allowed.']);
  });

  it('reads validation decisions for the asked fields only', () => {
    const body = { validation_decisions: { username: 'Taken.', email: '' }, username_suggestions: [] };
    expect(mapValidationDecisions(body, ['username'])).toEqual({ username: 'Taken.' });
    expect(mapValidationDecisions(body, ['email'])).toEqual({ email: '' });
    expect(mapValidationDecisions(null, ['email'])).toEqual({});
  });
});
