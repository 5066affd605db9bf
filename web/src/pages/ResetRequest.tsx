import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Form, StatefulButton } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import { AuthCard } from '../components/AuthCard';
import { usePageTitle } from '../components/Layout';
import { ApiError, errorMessage, request } from '../api/http';

const messages = defineMessages({
  title: { id: 'reset.title', defaultMessage: 'Reset your password' },
  intro: {
    id: 'reset.intro',
    defaultMessage: 'Enter the email address of your account and we will send you a link to choose a new password.',
  },
  email: { id: 'reset.email', defaultMessage: 'Email' },
  submit: { id: 'reset.submit', defaultMessage: 'Send reset link' },
  pending: { id: 'reset.pending', defaultMessage: 'Sending…' },
  invalid: { id: 'reset.invalid', defaultMessage: 'Enter a valid email address.' },
  done: { id: 'reset.done', defaultMessage: 'Check your email account for instructions to reset your password.' },
  failed: { id: 'reset.failed', defaultMessage: 'We could not send the link. Please try again.' },
  back: { id: 'reset.back', defaultMessage: 'Back to sign in' },
});

export default function ResetRequest() {
  const intl = useIntl();
  usePageTitle(intl.formatMessage(messages.title));
  const [email, setEmail] = useState('');
  const [fieldError, setFieldError] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [state, setState] = useState<'default' | 'pending'>('default');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) {
      setFieldError(intl.formatMessage(messages.invalid));
      return;
    }
    setFieldError('');
    setState('pending');
    try {
      const body = (await request('/password_reset/', { form: { email: email.trim() } })) as { value?: string };
      setDone(body?.value ?? intl.formatMessage(messages.done));
    } catch (err) {
      setError((err instanceof ApiError && errorMessage(err.body)) || intl.formatMessage(messages.failed));
    } finally {
      setState('default');
    }
  };

  return (
    <AuthCard title={intl.formatMessage(messages.title)} footer={<Link to="/login">{intl.formatMessage(messages.back)}</Link>}>
      {done ? (
        <Alert variant="success" role="status">
          {done}
        </Alert>
      ) : (
        <>
          <p>{intl.formatMessage(messages.intro)}</p>
          {error && (
            <Alert variant="danger" role="alert">
              {error}
            </Alert>
          )}
          <Form onSubmit={submit} noValidate>
            <Form.Group controlId="reset-email" isInvalid={Boolean(fieldError)}>
              <Form.Label>{intl.formatMessage(messages.email)}</Form.Label>
              <Form.Control
                type="email"
                name="email"
                autoComplete="email"
                value={email}
                onChange={(e: React.ChangeEvent<HTMLInputElement>) => setEmail(e.target.value)}
              />
              {fieldError && <Form.Control.Feedback type="invalid">{fieldError}</Form.Control.Feedback>}
            </Form.Group>
            <StatefulButton
              type="submit"
              variant="primary"
              state={state}
              labels={{ default: intl.formatMessage(messages.submit), pending: intl.formatMessage(messages.pending) }}
            />
          </Form>
        </>
      )}
    </AuthCard>
  );
}
