import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { Alert, Button, Form, StatefulButton } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import { AuthCard } from '../components/AuthCard';
import { usePageTitle } from '../components/Layout';
import { useSite } from '../components/SiteContext';
import { ApiError, errorMessage, request, resetCsrfToken } from '../api/http';
import { safeNext } from '../lib/next';

const messages = defineMessages({
  title: { id: 'login.title', defaultMessage: 'Sign in' },
  user: { id: 'login.user', defaultMessage: 'Username or email' },
  password: { id: 'login.password', defaultMessage: 'Password' },
  submit: { id: 'login.submit', defaultMessage: 'Sign in' },
  pending: { id: 'login.pending', defaultMessage: 'Signing in…' },
  forgot: { id: 'login.forgot', defaultMessage: 'Forgot your password?' },
  noAccount: { id: 'login.noAccount', defaultMessage: 'New here?' },
  register: { id: 'login.register', defaultMessage: 'Create an account' },
  required: { id: 'login.required', defaultMessage: 'Enter your {field}.' },
  failed: { id: 'login.failed', defaultMessage: 'We could not sign you in. Please try again.' },
  network: { id: 'login.network', defaultMessage: 'We could not reach the server. Check your connection and try again.' },
  errorTitle: { id: 'login.errorTitle', defaultMessage: 'We couldn’t sign you in.' },
});

export default function Login() {
  const intl = useIntl();
  usePageTitle(intl.formatMessage(messages.title));
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const { refreshUser } = useSite();
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [state, setState] = useState<'default' | 'pending'>('default');
  const next = safeNext(params.get('next'), '/dashboard');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!user.trim()) errs.user = intl.formatMessage(messages.required, { field: intl.formatMessage(messages.user).toLowerCase() });
    if (!password) errs.password = intl.formatMessage(messages.required, { field: intl.formatMessage(messages.password).toLowerCase() });
    setFieldErrors(errs);
    setError(null);
    if (Object.keys(errs).length) return;
    setState('pending');
    try {
      await request('/api/user/v2/account/login_session/', {
        form: { email_or_username: user.trim(), password },
      });
      resetCsrfToken(); // login rotates the CSRF cookie
      await refreshUser();
      navigate(next, { replace: true });
    } catch (err) {
      setState('default');
      if (err instanceof ApiError) {
        setError(errorMessage(err.body) ?? intl.formatMessage(messages.failed));
      } else {
        setError(intl.formatMessage(messages.network));
      }
    }
  };

  return (
    <AuthCard
      title={intl.formatMessage(messages.title)}
      footer={
        <p className="mb-0">
          {intl.formatMessage(messages.noAccount)}{' '}
          <Link to={`/register${params.get('next') ? `?next=${encodeURIComponent(next)}` : ''}`}>
            {intl.formatMessage(messages.register)}
          </Link>
        </p>
      }
    >
      {error && (
        <Alert variant="danger" role="alert">
          <Alert.Heading>{intl.formatMessage(messages.errorTitle)}</Alert.Heading>
          <p className="mb-0">{error}</p>
        </Alert>
      )}
      <Form onSubmit={submit} noValidate>
        <Form.Group controlId="login-user" isInvalid={Boolean(fieldErrors.user)}>
          <Form.Label>{intl.formatMessage(messages.user)}</Form.Label>
          <Form.Control
            name="email_or_username"
            autoComplete="username"
            value={user}
            onChange={(e: React.ChangeEvent<HTMLInputElement>) => setUser(e.target.value)}
          />
          {fieldErrors.user && <Form.Control.Feedback type="invalid">{fieldErrors.user}</Form.Control.Feedback>}
        </Form.Group>
        <Form.Group controlId="login-password" isInvalid={Boolean(fieldErrors.password)}>
          <Form.Label>{intl.formatMessage(messages.password)}</Form.Label>
          <Form.Control
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e: React.ChangeEvent<HTMLInputElement>) => setPassword(e.target.value)}
          />
          {fieldErrors.password && (
            <Form.Control.Feedback type="invalid">{fieldErrors.password}</Form.Control.Feedback>
          )}
        </Form.Group>
        <div className="d-flex align-items-center justify-content-between flex-wrap">
          <StatefulButton
            type="submit"
            variant="primary"
            state={state}
            labels={{ default: intl.formatMessage(messages.submit), pending: intl.formatMessage(messages.pending) }}
          />
          <Button as={Link} to="/reset" variant="link" className="px-0">
            {intl.formatMessage(messages.forgot)}
          </Button>
        </div>
      </Form>
    </AuthCard>
  );
}
