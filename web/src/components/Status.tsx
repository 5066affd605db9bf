import { Alert, Button, Spinner } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import { ApiError, NetworkError, errorMessage } from '../api/http';

const messages = defineMessages({
  loading: { id: 'status.loading', defaultMessage: 'Loading…' },
  networkTitle: { id: 'status.network.title', defaultMessage: 'We could not reach the server' },
  networkBody: {
    id: 'status.network.body',
    defaultMessage: 'Check your connection, then try again.',
  },
  errorTitle: { id: 'status.error.title', defaultMessage: 'Something went wrong' },
  errorBody: {
    id: 'status.error.body',
    defaultMessage: 'The server could not answer this request (error {status}).',
  },
  retry: { id: 'status.retry', defaultMessage: 'Try again' },
});

export function Loading({ label }: { label?: string }) {
  const intl = useIntl();
  return (
    <div className="larch-loading" role="status">
      <Spinner animation="border" screenReaderText={label ?? intl.formatMessage(messages.loading)} />
    </div>
  );
}

/** The panel shown instead of a page whose data failed to load; never a blank page. */
export function ErrorPanel({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const intl = useIntl();
  const network = error instanceof NetworkError || !(error instanceof ApiError);
  const status = error instanceof ApiError ? error.status : 0;
  const detail = error instanceof ApiError ? errorMessage(error.body) : null;
  return (
    <Alert
      variant={network ? 'warning' : 'danger'}
      className="larch-error-panel my-4"
      role="alert"
      actions={
        onRetry
          ? [
              <Button key="retry" variant="primary" onClick={onRetry}>
                {intl.formatMessage(messages.retry)}
              </Button>,
            ]
          : undefined
      }
    >
      <Alert.Heading>
        {intl.formatMessage(network ? messages.networkTitle : messages.errorTitle)}
      </Alert.Heading>
      <p className="mb-0">
        {network
          ? intl.formatMessage(messages.networkBody)
          : detail ?? intl.formatMessage(messages.errorBody, { status })}
      </p>
    </Alert>
  );
}
