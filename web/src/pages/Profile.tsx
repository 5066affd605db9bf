// The learner profile `/u/{username}` (frontend-app-profile): the accounts
// API object, only its public fields for another user's private profile; the
// owner edits bio, country, languages and visibility with a merge patch.
import { Link, Navigate, useParams } from 'react-router-dom';
import { Alert, Button, Form, Toast } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import { useState } from 'react';
import { usePageTitle } from '../components/Layout';
import { useSite } from '../components/SiteContext';
import { ErrorPanel, Loading } from '../components/Status';
import { EditableField } from '../components/EditableField';
import { ApiError, request } from '../api/http';
import { useLoad } from '../lib/useLoad';
import { useInteractiveMark } from '../lib/perf';
import {
  COUNTRY_CODES,
  LANGUAGE_CODES,
  displayName,
  namedOptions,
  parseAccount,
  safeSocialUrl,
} from '../lib/account';
import type { Account } from '../lib/account';
import { saveAccount } from '../lib/accountApi';
import './account.css';

const messages = defineMessages({
  title: { id: 'profile.title', defaultMessage: 'Profile of {username}' },
  notFound: { id: 'profile.notFound', defaultMessage: 'There is no learner called {username}.' },
  browse: { id: 'profile.browse', defaultMessage: 'Browse courses' },
  memberSince: { id: 'profile.memberSince', defaultMessage: 'Member since {date}' },
  about: { id: 'profile.about', defaultMessage: 'About me' },
  country: { id: 'profile.country', defaultMessage: 'Location' },
  languages: { id: 'profile.languages', defaultMessage: 'Languages' },
  social: { id: 'profile.social', defaultMessage: 'Social links' },
  accomplishments: { id: 'profile.accomplishments', defaultMessage: 'Accomplishments' },
  noAccomplishments: {
    id: 'profile.noAccomplishments',
    defaultMessage: 'No accomplishments yet. Badges earned in courses will appear here.',
  },
  visibility: { id: 'profile.visibility', defaultMessage: 'Profile visibility' },
  visibilityAll: { id: 'profile.visibilityAll', defaultMessage: 'Full profile: signed-in learners see the fields above' },
  visibilityPrivate: { id: 'profile.visibilityPrivate', defaultMessage: 'Limited profile: only your username and picture' },
  visibilityCustom: { id: 'profile.visibilityCustom', defaultMessage: 'Custom: the fields you chose' },
  consent: {
    id: 'profile.consent',
    defaultMessage: 'Your profile stays limited until your year of birth is set (and you are over 13).',
  },
  setYear: { id: 'profile.setYear', defaultMessage: 'Set it in account settings' },
  privateOther: { id: 'profile.privateOther', defaultMessage: '{username} has a limited profile.' },
  bioHelp: { id: 'profile.bioHelp', defaultMessage: 'At most 300 characters.' },
  choose: { id: 'profile.choose', defaultMessage: 'Not set' },
  saved: { id: 'profile.saved', defaultMessage: 'Your profile is saved.' },
  saveFailed: { id: 'profile.saveFailed', defaultMessage: 'This value could not be saved.' },
  network: { id: 'profile.network', defaultMessage: 'We could not reach the server. Check your connection and try again.' },
  settings: { id: 'profile.settings', defaultMessage: 'Account settings' },
  viewAsOthers: { id: 'profile.viewAsOthers', defaultMessage: 'This is your profile.' },
});

const PLATFORM_NAMES: Record<string, string> = { facebook: 'Facebook', twitter: 'Twitter', x: 'X', linkedin: 'LinkedIn' };

async function loadProfile(username: string, signal: AbortSignal): Promise<Account | null> {
  try {
    return parseAccount(await request(`/api/user/v1/accounts/${encodeURIComponent(username)}`, { signal }));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export default function Profile() {
  const intl = useIntl();
  const { username = '' } = useParams();
  const { user } = useSite();
  usePageTitle(intl.formatMessage(messages.title, { username }));
  const data = useLoad((signal) => (user ? loadProfile(username, signal) : Promise.resolve(null)), [username, user?.username]);
  const [toast, setToast] = useState<string | null>(null);
  useInteractiveMark(data.status === 'done');

  if (user === undefined) return <Loading />;
  if (!user) return <Navigate to={`/login?next=${encodeURIComponent(`/u/${username}`)}`} replace />;
  if (data.status === 'loading') return <Loading />;
  if (data.status === 'error') {
    return (
      <div className="container-xl">
        <ErrorPanel error={data.error} onRetry={data.retry} />
      </div>
    );
  }
  if (!data.data) {
    return (
      <div className="container-xl larch-not-found">
        <h1>{intl.formatMessage(messages.notFound, { username })}</h1>
        <Button as={Link} to="/courses" variant="primary">
          {intl.formatMessage(messages.browse)}
        </Button>
      </div>
    );
  }
  const account = data.data;
  const own = account.username === user.username;
  const save = async (patch: Record<string, unknown>, field: string): Promise<string | null> => {
    const result = await saveAccount(account.username, patch, field, {
      failed: intl.formatMessage(messages.saveFailed),
      network: intl.formatMessage(messages.network),
    });
    if (typeof result === 'string') return result;
    data.setData(result);
    setToast(intl.formatMessage(messages.saved));
    return null;
  };
  return (
    <div className="larch-profile">
      <ProfileHeader account={account} own={own} />
      <div className="container-xl larch-profile-body">
        <div className="larch-profile-main">
          {!own && account.privacy === 'private' && !account.present.has('bio') && (
            <Alert variant="info">{intl.formatMessage(messages.privateOther, { username: account.username })}</Alert>
          )}
          {own && account.requiresParentalConsent && (
            <Alert variant="warning">
              {intl.formatMessage(messages.consent)} <Link to="/account/settings">{intl.formatMessage(messages.setYear)}</Link>
            </Alert>
          )}
          <ProfileFields account={account} own={own} save={save} />
          <section className="larch-panel" aria-labelledby="accomplishments-heading">
            <h2 id="accomplishments-heading" className="h4">
              {intl.formatMessage(messages.accomplishments)}
            </h2>
            <p className="text-muted mb-0 larch-accomplishments-empty">{intl.formatMessage(messages.noAccomplishments)}</p>
          </section>
        </div>
        {own && (
          <aside className="larch-panel larch-profile-side">
            <EditableField<string>
              name="account_privacy"
              label={intl.formatMessage(messages.visibility)}
              value={account.privacy}
              display={intl.formatMessage(
                account.privacy === 'all_users' ? messages.visibilityAll : account.privacy === 'custom' ? messages.visibilityCustom : messages.visibilityPrivate,
              )}
              renderInput={({ id, value, onChange }) => (
                <Form.Control as="select" id={id} value={value} onChange={(e: React.ChangeEvent<HTMLSelectElement>) => onChange(e.target.value)}>
                  <option value="all_users">{intl.formatMessage(messages.visibilityAll)}</option>
                  <option value="private">{intl.formatMessage(messages.visibilityPrivate)}</option>
                  {account.privacy === 'custom' && <option value="custom">{intl.formatMessage(messages.visibilityCustom)}</option>}
                </Form.Control>
              )}
              onSave={(v) => save({ account_privacy: v }, 'account_privacy')}
            />
            <Button as={Link} to="/account/settings" variant="outline-primary" className="mt-3">
              {intl.formatMessage(messages.settings)}
            </Button>
          </aside>
        )}
      </div>
      <div className="larch-toast-host">
        <Toast show={toast !== null} onClose={() => setToast(null)} delay={4000}>
          {toast ?? ''}
        </Toast>
      </div>
    </div>
  );
}

function ProfileHeader({ account, own }: { account: Account; own: boolean }) {
  const intl = useIntl();
  return (
    <section className="larch-profile-hero">
      <div className="container-xl larch-profile-hero-inner">
        <div className="larch-profile-avatar" aria-hidden="true">
          {account.imageUrl ? <img src={account.imageUrl} alt="" /> : <span>{account.username.slice(0, 1).toUpperCase()}</span>}
        </div>
        <div>
          <h1 className="mb-1">{account.username}</h1>
          {account.name && <p className="lead mb-1" dir="auto">{account.name}</p>}
          {account.dateJoined && (
            <p className="mb-0 small larch-profile-since">
              {intl.formatMessage(messages.memberSince, {
                date: intl.formatDate(new Date(account.dateJoined), { year: 'numeric', month: 'long' }),
              })}
              {own && <span className="mis-2">· {intl.formatMessage(messages.viewAsOthers)}</span>}
            </p>
          )}
        </div>
      </div>
    </section>
  );
}

function ProfileFields({
  account,
  own,
  save,
}: {
  account: Account;
  own: boolean;
  save: (patch: Record<string, unknown>, field: string) => Promise<string | null>;
}) {
  const intl = useIntl();
  const locale = intl.locale;
  // Another learner sees the fields the API sent that hold something.
  const filled: Record<string, boolean> = {
    bio: Boolean(account.bio),
    country: Boolean(account.country),
    language_proficiencies: account.languages.length > 0,
    social_links: account.socialLinks.length > 0,
  };
  const has = (f: string) => own || (account.present.has(f) && filled[f]);
  const choose = intl.formatMessage(messages.choose);
  const social = has('social_links');
  if (!['bio', 'country', 'language_proficiencies'].some(has) && !social) return null;
  return (
    <section className="larch-panel larch-profile-fields">
      {has('bio') && (
        <EditableField<string>
          name="bio"
          label={intl.formatMessage(messages.about)}
          value={account.bio ?? ''}
          display={account.bio ? <p className="larch-bio mb-0">{account.bio}</p> : null}
          help={own ? intl.formatMessage(messages.bioHelp) : undefined}
          editable={own}
          renderInput={({ id, value, onChange }) => (
            <Form.Control as="textarea" id={id} rows={4} value={value} onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => onChange(e.target.value)} />
          )}
          onSave={(v) => save({ bio: v === '' ? null : v }, 'bio')}
        />
      )}
      {has('country') && (
        <EditableField<string>
          name="country"
          label={intl.formatMessage(messages.country)}
          value={account.country ?? ''}
          display={account.country ? displayName(account.country, locale, 'region') : null}
          editable={own}
          renderInput={({ id, value, onChange }) => (
            <Form.Control as="select" id={id} value={value} onChange={(e: React.ChangeEvent<HTMLSelectElement>) => onChange(e.target.value)}>
              <option value="">{choose}</option>
              {namedOptions(COUNTRY_CODES, locale, 'region').map(([code, name]) => (
                <option key={code} value={code}>
                  {name}
                </option>
              ))}
            </Form.Control>
          )}
          onSave={(v) => save({ country: v === '' ? null : v }, 'country')}
        />
      )}
      {has('language_proficiencies') && (
        <EditableField<string>
          name="language_proficiencies"
          label={intl.formatMessage(messages.languages)}
          value={account.languages[0] ?? ''}
          display={account.languages.length ? account.languages.map((c) => displayName(c, locale, 'language')).join(', ') : null}
          editable={own}
          renderInput={({ id, value, onChange }) => (
            <Form.Control as="select" id={id} value={value} onChange={(e: React.ChangeEvent<HTMLSelectElement>) => onChange(e.target.value)}>
              <option value="">{choose}</option>
              {namedOptions(LANGUAGE_CODES, locale, 'language').map(([code, name]) => (
                <option key={code} value={code}>
                  {name}
                </option>
              ))}
            </Form.Control>
          )}
          onSave={(v) => save({ language_proficiencies: v ? [{ code: v }] : [] }, 'language_proficiencies')}
        />
      )}
      {social && (
        <div className="larch-field" data-field="social_links">
          <h3 className="larch-field-label">{intl.formatMessage(messages.social)}</h3>
          {account.socialLinks.length ? (
            <ul className="list-unstyled mb-0 larch-social">
              {account.socialLinks.map((l) => {
                const url = safeSocialUrl(l.social_link);
                const name = PLATFORM_NAMES[l.platform] ?? l.platform;
                return <li key={l.platform}>{url ? <a href={url} rel="noopener noreferrer me">{name}</a> : name}</li>;
              })}
            </ul>
          ) : (
            <p className="text-muted mb-0">{intl.formatMessage(messages.choose)}</p>
          )}
          {own && (
            <p className="small mb-0 mt-1">
              <Link to="/account/settings#social">{intl.formatMessage(messages.settings)}</Link>
            </p>
          )}
        </div>
      )}
    </section>
  );
}
