import { useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { Alert, Form, StatefulButton } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import { AuthCard } from '../components/AuthCard';
import { usePageTitle } from '../components/Layout';
import { useSite } from '../components/SiteContext';
import { ErrorPanel, Loading } from '../components/Status';
import { ApiError, request, resetCsrfToken } from '../api/http';
import { useLoad } from '../lib/useLoad';
import { safeNext } from '../lib/next';
import {
  fieldsFromDescription,
  initialValues,
  mapRegistrationErrors,
  mapValidationDecisions,
  registrationForm,
  validateField,
} from '../lib/registration';
import type { ClientMessages, FieldErrors, FieldSpec, FormValues } from '../lib/registration';

const messages = defineMessages({
  title: { id: 'register.title', defaultMessage: 'Create an account' },
  submit: { id: 'register.submit', defaultMessage: 'Create account' },
  pending: { id: 'register.pending', defaultMessage: 'Creating your account…' },
  haveAccount: { id: 'register.haveAccount', defaultMessage: 'Already have an account?' },
  signIn: { id: 'register.signIn', defaultMessage: 'Sign in' },
  required: { id: 'register.required', defaultMessage: '{label} is required.' },
  tooShort: { id: 'register.tooShort', defaultMessage: '{label} must be at least {n} characters.' },
  tooLong: { id: 'register.tooLong', defaultMessage: '{label} must be at most {n} characters.' },
  email: { id: 'register.email', defaultMessage: 'Enter a valid email address.' },
  mustAgree: { id: 'register.mustAgree', defaultMessage: 'You must agree to continue.' },
  fixErrors: { id: 'register.fixErrors', defaultMessage: 'We couldn’t create your account.' },
  fixBelow: { id: 'register.fixBelow', defaultMessage: 'Please check the fields marked below.' },
  network: { id: 'register.network', defaultMessage: 'We could not reach the server. Check your connection and try again.' },
  suggestions: { id: 'register.suggestions', defaultMessage: 'Suggested usernames:' },
  optional: { id: 'register.optional', defaultMessage: '(optional)' },
  choose: { id: 'register.choose', defaultMessage: 'Choose…' },
});

// The fields the validation endpoint checks (RegistrationValidationView).
const SERVER_VALIDATED = new Set(['email', 'confirm_email', 'username', 'password', 'name', 'country']);

function FieldInput({
  field,
  value,
  error,
  onChange,
  onBlur,
  optionalLabel,
  chooseLabel,
}: {
  field: FieldSpec;
  value: string | boolean;
  error?: string;
  onChange: (v: string | boolean) => void;
  onBlur: () => void;
  optionalLabel: string;
  chooseLabel: string;
}) {
  const id = `register-${field.name}`;
  const help = field.instructions && !error ? <Form.Text>{field.instructions}</Form.Text> : null;
  const feedback = error ? (
    <Form.Control.Feedback type="invalid" hasIcon={false}>
      {error}
    </Form.Control.Feedback>
  ) : null;
  if (field.type === 'checkbox') {
    return (
      <Form.Group controlId={id} isInvalid={Boolean(error)}>
        <Form.Checkbox
          name={field.name}
          checked={value === true}
          onChange={(e: React.ChangeEvent<HTMLInputElement>) => onChange(e.target.checked)}
          onBlur={onBlur}
        >
          {field.label}
        </Form.Checkbox>
        {feedback}
      </Form.Group>
    );
  }
  const label = (
    <Form.Label>
      {field.label}
      {!field.required && <span className="text-muted small mis-1">{optionalLabel}</span>}
    </Form.Label>
  );
  const common = {
    name: field.name,
    value: value as string,
    onBlur,
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => onChange(e.target.value),
    required: field.required,
  };
  return (
    <Form.Group controlId={id} isInvalid={Boolean(error)}>
      {label}
      {field.type === 'select' ? (
        <Form.Control as="select" {...common}>
          <option value="">{chooseLabel}</option>
          {field.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.name}
            </option>
          ))}
        </Form.Control>
      ) : field.type === 'textarea' ? (
        <Form.Control as="textarea" rows={3} {...common} />
      ) : (
        <Form.Control
          type={field.type === 'email' || field.type === 'password' ? field.type : 'text'}
          autoComplete={
            field.name === 'password' ? 'new-password' : field.name === 'email' ? 'email' : field.name === 'name' ? 'name' : field.name === 'username' ? 'username' : undefined
          }
          placeholder={field.placeholder || undefined}
          maxLength={field.maxLength}
          {...common}
        />
      )}
      {feedback}
      {help}
    </Form.Group>
  );
}

export default function Register() {
  const intl = useIntl();
  usePageTitle(intl.formatMessage(messages.title));
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const { refreshUser } = useSite();
  const next = safeNext(params.get('next'), '/courses');
  const description = useLoad(async () => {
    const body = await request('/api/user/v1/account/registration/');
    return fieldsFromDescription(body);
  }, []);
  const fields = description.data ?? [];
  const [values, setValues] = useState<FormValues | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [suggestions, setSuggestions] = useState<string[]>([]);
  const [state, setState] = useState<'default' | 'pending'>('default');
  const validationSeq = useRef(0);
  const current = values ?? (description.data ? initialValues(description.data) : {});

  const clientMessages: ClientMessages = useMemo(
    () => ({
      required: (label) => intl.formatMessage(messages.required, { label }),
      tooShort: (label, n) => intl.formatMessage(messages.tooShort, { label, n }),
      tooLong: (label, n) => intl.formatMessage(messages.tooLong, { label, n }),
      email: intl.formatMessage(messages.email),
      mustAgree: intl.formatMessage(messages.mustAgree),
    }),
    [intl],
  );

  if (description.status === 'loading') return <Loading />;
  if (description.status === 'error') {
    return (
      <div className="container-xl">
        <ErrorPanel error={description.error} onRetry={description.retry} />
      </div>
    );
  }

  const setValue = (name: string, v: string | boolean) => {
    setValues({ ...current, [name]: v });
    if (errors[name]) setErrors({ ...errors, [name]: '' });
  };

  const validateLive = async (field: FieldSpec) => {
    const local = validateField(field, current[field.name], clientMessages);
    if (local || !SERVER_VALIDATED.has(field.name)) {
      setErrors((e) => ({ ...e, [field.name]: local }));
      return;
    }
    const seq = ++validationSeq.current;
    const form: Record<string, string> = {};
    for (const name of ['email', 'username', 'name', 'password', 'confirm_email', 'country']) {
      const v = current[name];
      if (typeof v === 'string' && name === field.name) form[name] = v;
    }
    if (field.name === 'confirm_email' && typeof current.email === 'string') form.email = current.email;
    try {
      const body = await request('/api/user/v1/validation/registration', { form });
      if (seq !== validationSeq.current) return;
      const decisions = mapValidationDecisions(body, [field.name]);
      setErrors((e) => ({ ...e, [field.name]: decisions[field.name] ?? '' }));
      const s = (body as { username_suggestions?: string[] })?.username_suggestions;
      if (field.name === 'username' && Array.isArray(s)) setSuggestions(s);
    } catch {
      // Live validation is a help only; the submit reports what is wrong.
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: FieldErrors = {};
    for (const f of fields) {
      const m = validateField(f, current[f.name], clientMessages);
      if (m) local[f.name] = m;
    }
    setGeneral([]);
    if (Object.keys(local).length) {
      setErrors(local);
      setGeneral([intl.formatMessage(messages.fixBelow)]);
      focusFirstError(fields, local);
      return;
    }
    setState('pending');
    try {
      await request('/api/user/v2/account/registration/', { form: registrationForm(fields, current) });
      resetCsrfToken();
      await refreshUser();
      const email = typeof current.email === 'string' ? current.email : '';
      navigate(`/activation?next=${encodeURIComponent(next)}`, { replace: true, state: { email } });
    } catch (err) {
      setState('default');
      if (err instanceof ApiError) {
        const mapped = mapRegistrationErrors(err.body, fields.map((f) => f.name));
        setErrors(mapped.fields);
        setSuggestions(mapped.usernameSuggestions);
        const g = mapped.general.length ? mapped.general : [intl.formatMessage(messages.fixBelow)];
        setGeneral(g);
        focusFirstError(fields, mapped.fields);
      } else {
        setGeneral([intl.formatMessage(messages.network)]);
      }
    }
  };

  return (
    <AuthCard
      title={intl.formatMessage(messages.title)}
      footer={
        <p className="mb-0">
          {intl.formatMessage(messages.haveAccount)}{' '}
          <Link to={`/login?next=${encodeURIComponent(next)}`}>{intl.formatMessage(messages.signIn)}</Link>
        </p>
      }
    >
      {general.length > 0 && (
        <Alert variant="danger" role="alert">
          <Alert.Heading>{intl.formatMessage(messages.fixErrors)}</Alert.Heading>
          {general.map((g) => (
            <p key={g} className="mb-0">
              {g}
            </p>
          ))}
        </Alert>
      )}
      <Form onSubmit={submit} noValidate>
        {fields.map((f) => (
          <div key={f.name}>
            <FieldInput
              field={f}
              value={current[f.name] ?? ''}
              error={errors[f.name]}
              onChange={(v) => setValue(f.name, v)}
              onBlur={() => void validateLive(f)}
              optionalLabel={intl.formatMessage(messages.optional)}
              chooseLabel={intl.formatMessage(messages.choose)}
            />
            {f.name === 'username' && suggestions.length > 0 && errors.username && (
              <div className="larch-suggestions mb-3">
                <span className="small mie-2">{intl.formatMessage(messages.suggestions)}</span>
                {suggestions.map((s) => (
                  <button type="button" key={s} className="btn btn-sm btn-outline-primary mie-2" onClick={() => setValue('username', s)}>
                    {s}
                  </button>
                ))}
              </div>
            )}
          </div>
        ))}
        <StatefulButton
          type="submit"
          variant="brand"
          className="w-100"
          state={state}
          labels={{ default: intl.formatMessage(messages.submit), pending: intl.formatMessage(messages.pending) }}
        />
      </Form>
    </AuthCard>
  );
}

function focusFirstError(fields: FieldSpec[], errors: FieldErrors) {
  const first = fields.find((f) => errors[f.name]);
  if (first) {
    requestAnimationFrame(() => document.getElementById(`register-${first.name}`)?.focus());
  }
}
