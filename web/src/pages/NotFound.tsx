import { Link } from 'react-router-dom';
import { Button } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import { usePageTitle } from '../components/Layout';

const messages = defineMessages({
  title: { id: 'notFound.title', defaultMessage: 'Page not found' },
  body: { id: 'notFound.body', defaultMessage: 'The page you are looking for does not exist or has moved.' },
  home: { id: 'notFound.home', defaultMessage: 'Browse courses' },
});

export default function NotFound() {
  const intl = useIntl();
  usePageTitle(intl.formatMessage(messages.title));
  return (
    <div className="container-xl larch-not-found">
      <p className="larch-not-found-code" aria-hidden="true">404</p>
      <h1>{intl.formatMessage(messages.title)}</h1>
      <p className="lead">{intl.formatMessage(messages.body)}</p>
      <Button as={Link} to="/courses" variant="primary">
        {intl.formatMessage(messages.home)}
      </Button>
    </div>
  );
}
