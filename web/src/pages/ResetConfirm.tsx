import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Alert, Button, Form, StatefulButton } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import { AuthCard } from '../components/AuthCard';
import { usePageTitle } from '../components/Layout';
import { ApiError, request } from '../api/http';

const messages = defineMessages({
  title: { id: 'resetConfirm.title', defaultMessage: 'Choose a new password' },
  password: { id: 'resetConfirm.password', defaultMessage: 'New password' },
  confirm: { id: 'resetConfirm.confirm', defaultMessage: 'Confirm new password' },
  submit: { id: 'resetConfirm.submit', defaultMessage: 'Save new password' },
  pending: { id: 'resetConfirm.pending', defaultMessage: 'Saving…' },
  mismatch: { id: 'resetConfirm.mismatch', defaultMessage: 'The two passwords do not match.' },
  required: { id: 'resetConfirm.required', defaultMessage: 'Enter a new password.' },
  done: { id: 'resetConfirm.done', defaultMessage: 'Your password has been changed. You can sign in with it now.' },
  signIn: { id: 'resetConfirm.signIn', defaultMessage: 'Sign in' },
  invalidLink: { id: 'resetConfirm.invalidLink', defaultMessage: 'This password reset link is not valid.' },
  newLink: { id: 'resetConfirm.newLink', defaultMessage: 'Request a new link' },
  failed: { id: 'resetConfirm.failed', defaultMessage: 'We could not change your password. Please try again.' },
});

/** `{uidb36}-{token}` from the link: the uid has no dash, the token may. */
export function splitResetToken(path: string | undefined): { uid: string; token: string } | null {
  if (!path) return null;
  const dash = path.indexOf('-');
  if (dash <= 0 || dash === path.length - 1) return null;
  return { uid: path.slice(0, dash), token: path.slice(dash + 1) };
}

export default function ResetConfirm() {
  const intl = useIntl();
  usePageTitle(intl.formatMessage(messages.title));
  const parts = splitResetToken(useParams().tokenPath);
  const [p1, setP1] = useState('');
  const [p2, setP2] = useState('');
  const [errors, setErrors] = useState<{ p1?: string; p2?: string }>({});
  const [tokenInvalid, setTokenInvalid] = useState(!parts);
  const [tokenMessage, setTokenMessage] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [state, setState] = useState<'default' | 'pending'>('default');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!p1) return setErrors({ p1: intl.formatMessage(messages.required) });
    if (p1 !== p2) return setErrors({ p2: intl.formatMessage(messages.mismatch) });
    setErrors({});
    setState('pending');
    try {
      await request(`/password_reset_confirm/${parts!.uid}-${parts!.token}/`, {
        form: { new_password1: p1, new_password2: p2 },
      });
      setDone(true);
    } catch (err) {
      const body = err instanceof ApiError ? (err.body as { token_invalid?: boolean; err_msg?: string }) : null;
      if (body?.token_invalid) {
        setTokenInvalid(true);
        setTokenMessage(body.err_msg ?? null);
      } else {
        setErrors({ p1: body?.err_msg ?? intl.formatMessage(messages.failed) });
      }
    } finally {
      setState('default');
    }
  };

  if (tokenInvalid) {
    return (
      <AuthCard title={intl.formatMessage(messages.invalidLink)}>
        {tokenMessage && <p>{tokenMessage}</p>}
        <Button as={Link} to="/reset" variant="primary">
          {intl.formatMessage(messages.newLink)}
        </Button>
      </AuthCard>
    );
  }
  if (done) {
    return (
      <AuthCard title={intl.formatMessage(messages.title)}>
        <Alert variant="success" role="status">
          {intl.formatMessage(messages.done)}
        </Alert>
        <Button as={Link} to="/login" variant="primary">
          {intl.formatMessage(messages.signIn)}
        </Button>
      </AuthCard>
    );
  }
  return (
    <AuthCard title={intl.formatMessage(messages.title)}>
      <Form onSubmit={submit} noValidate>
        <Form.Group controlId="reset-p1" isInvalid={Boolean(errors.p1)}>
          <Form.Label>{intl.formatMessage(messages.password)}</Form.Label>
          <Form.Control type="password" autoComplete="new-password" value={p1} onChange={(e: React.ChangeEvent<HTMLInputElement>) => setP1(e.target.value)} />
          {errors.p1 && <Form.Control.Feedback type="invalid">{errors.p1}</Form.Control.Feedback>}
        </Form.Group>
        <Form.Group controlId="reset-p2" isInvalid={Boolean(errors.p2)}>
          <Form.Label>{intl.formatMessage(messages.confirm)}</Form.Label>
          <Form.Control type="password" autoComplete="new-password" value={p2} onChange={(e: React.ChangeEvent<HTMLInputElement>) => setP2(e.target.value)} />
          {errors.p2 && <Form.Control.Feedback type="invalid">{errors.p2}</Form.Control.Feedback>}
        </Form.Group>
        <StatefulButton
          type="submit"
          variant="primary"
          state={state}
          labels={{ default: intl.formatMessage(messages.submit), pending: intl.formatMessage(messages.pending) }}
        />
      </Form>
    </AuthCard>
  );
}
