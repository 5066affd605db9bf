import { useState } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router-dom';
import { Alert, Button, StatefulButton } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import { AuthCard } from '../components/AuthCard';
import { usePageTitle } from '../components/Layout';
import { useSite } from '../components/SiteContext';
import { ApiError, errorMessage, request } from '../api/http';
import { safeNext } from '../lib/next';

const messages = defineMessages({
  title: { id: 'activation.title', defaultMessage: 'Check your email' },
  body: {
    id: 'activation.body',
    defaultMessage: 'We sent an activation link to {email}. Follow it to activate your account and unlock everything in your courses.',
  },
  bodyNoEmail: {
    id: 'activation.bodyNoEmail',
    defaultMessage: 'We sent you an activation link. Follow it to activate your account and unlock everything in your courses.',
  },
  welcome: { id: 'activation.welcome', defaultMessage: 'Welcome, {username}! Your account is ready.' },
  resend: { id: 'activation.resend', defaultMessage: 'Send the email again' },
  sending: { id: 'activation.sending', defaultMessage: 'Sending…' },
  sent: { id: 'activation.sent', defaultMessage: 'We sent the activation email again.' },
  failed: { id: 'activation.failed', defaultMessage: 'We could not send the email. Please try again.' },
  continue: { id: 'activation.continue', defaultMessage: 'Explore courses' },
  signIn: { id: 'activation.signIn', defaultMessage: 'Sign in to resend the activation email.' },
});

export default function Activation() {
  const intl = useIntl();
  usePageTitle(intl.formatMessage(messages.title));
  const { user } = useSite();
  const location = useLocation();
  const [params] = useSearchParams();
  const email = (location.state as { email?: string } | null)?.email ?? user?.email ?? '';
  const next = safeNext(params.get('next'), '/courses');
  const [state, setState] = useState<'default' | 'pending'>('default');
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  const resend = async () => {
    setState('pending');
    setResult(null);
    try {
      await request('/api/send_account_activation_email', { method: 'POST', form: {} });
      setResult({ ok: true, text: intl.formatMessage(messages.sent) });
    } catch (e) {
      const text = e instanceof ApiError ? errorMessage(e.body) : null;
      setResult({ ok: false, text: text ?? intl.formatMessage(messages.failed) });
    } finally {
      setState('default');
    }
  };

  return (
    <AuthCard title={intl.formatMessage(messages.title)}>
      {user && <p className="lead">{intl.formatMessage(messages.welcome, { username: user.username })}</p>}
      <p>{email ? intl.formatMessage(messages.body, { email: <strong key="e">{email}</strong> }) : intl.formatMessage(messages.bodyNoEmail)}</p>
      {result && (
        <Alert variant={result.ok ? 'success' : 'danger'} role={result.ok ? 'status' : 'alert'}>
          {result.text}
        </Alert>
      )}
      <div className="d-flex flex-wrap larch-gap">
        <Button as={Link} to={next} variant="primary">
          {intl.formatMessage(messages.continue)}
        </Button>
        {user ? (
          <StatefulButton
            variant="outline-primary"
            state={state}
            onClick={() => void resend()}
            labels={{ default: intl.formatMessage(messages.resend), pending: intl.formatMessage(messages.sending) }}
          />
        ) : (
          <Link to="/login?next=/activation">{intl.formatMessage(messages.signIn)}</Link>
        )}
      </div>
    </AuthCard>
  );
}
