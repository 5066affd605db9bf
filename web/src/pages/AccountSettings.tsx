// Account settings `/account/settings` (frontend-app-account): the accounts
// API fields, the site language (`pref-lang`) and time zone preferences,
// profile visibility, social links, and a password reset mail as Larch's way
// of changing a password (upstream's account MFE does the same).
import { useState } from 'react';
import { Navigate } from 'react-router-dom';
import { Alert, Form, StatefulButton, Toast } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import type { IntlShape } from 'react-intl';
import { usePageTitle } from '../components/Layout';
import { useSite } from '../components/SiteContext';
import { ErrorPanel, Loading } from '../components/Status';
import { EditableField } from '../components/EditableField';
import type { InputProps } from '../components/EditableField';
import { ApiError, errorMessage, request } from '../api/http';
import { useLoad } from '../lib/useLoad';
import { useInteractiveMark } from '../lib/perf';
import { COUNTRY_CODES, SOCIAL_PLATFORMS, birthYears, displayName, namedOptions, parseAccount, timeZones } from '../lib/account';
import type { Account } from '../lib/account';
import { saveAccount, savePreferences } from '../lib/accountApi';
import { rememberLocale, SUPPORTED_LOCALES } from '../i18n/locale';
import type { Locale } from '../i18n/locale';
import './account.css';

const messages = defineMessages({
  title: { id: 'account.title', defaultMessage: 'Account settings' },
  info: { id: 'account.info', defaultMessage: 'Account information' },
  profileInfo: { id: 'account.profileInfo', defaultMessage: 'Profile information' },
  siteSettings: { id: 'account.siteSettings', defaultMessage: 'Site preferences' },
  social: { id: 'account.social', defaultMessage: 'Social media links' },
  username: { id: 'account.username', defaultMessage: 'Username' },
  usernameHelp: { id: 'account.usernameHelp', defaultMessage: 'The name that identifies you on this site. It cannot be changed.' },
  name: { id: 'account.name', defaultMessage: 'Full name' },
  nameHelp: { id: 'account.nameHelp', defaultMessage: 'The name on your certificates.' },
  email: { id: 'account.email', defaultMessage: 'Email address' },
  emailHelp: { id: 'account.emailHelp', defaultMessage: 'You sign in and receive messages with this address.' },
  password: { id: 'account.password', defaultMessage: 'Password' },
  passwordHelp: {
    id: 'account.passwordHelp',
    defaultMessage: 'We email you a link; follow it to choose a new password.',
  },
  resetPassword: { id: 'account.resetPassword', defaultMessage: 'Reset password' },
  resetSending: { id: 'account.resetSending', defaultMessage: 'Sending…' },
  resetSent: { id: 'account.resetSent', defaultMessage: 'We sent a message to {email}. Follow the link in it to reset your password.' },
  yearOfBirth: { id: 'account.yearOfBirth', defaultMessage: 'Year of birth' },
  country: { id: 'account.country', defaultMessage: 'Country or region' },
  gender: { id: 'account.gender', defaultMessage: 'Gender' },
  education: { id: 'account.education', defaultMessage: 'Education completed' },
  language: { id: 'account.language', defaultMessage: 'Site language' },
  timeZone: { id: 'account.timeZone', defaultMessage: 'Time zone' },
  timeZoneDefault: { id: 'account.timeZoneDefault', defaultMessage: 'Your browser’s time zone' },
  visibility: { id: 'account.visibility', defaultMessage: 'Profile visibility' },
  visibilityAll: { id: 'account.visibilityAll', defaultMessage: 'Full profile' },
  visibilityPrivate: { id: 'account.visibilityPrivate', defaultMessage: 'Limited profile' },
  visibilityCustom: { id: 'account.visibilityCustom', defaultMessage: 'Custom' },
  visibilityHelp: { id: 'account.visibilityHelp', defaultMessage: 'A limited profile shows only your username and picture to others.' },
  consent: { id: 'account.consent', defaultMessage: 'Your profile stays limited until your year of birth is set (and you are over 13).' },
  choose: { id: 'account.choose', defaultMessage: 'Not set' },
  genderM: { id: 'account.gender.m', defaultMessage: 'Male' },
  genderF: { id: 'account.gender.f', defaultMessage: 'Female' },
  genderO: { id: 'account.gender.o', defaultMessage: 'Other / prefer not to say' },
  eduP: { id: 'account.edu.p', defaultMessage: 'Doctorate' },
  eduM: { id: 'account.edu.m', defaultMessage: 'Master’s or professional degree' },
  eduB: { id: 'account.edu.b', defaultMessage: 'Bachelor’s degree' },
  eduA: { id: 'account.edu.a', defaultMessage: 'Associate degree' },
  eduHs: { id: 'account.edu.hs', defaultMessage: 'Secondary/high school' },
  eduJhs: { id: 'account.edu.jhs', defaultMessage: 'Junior secondary/junior high/middle school' },
  eduEl: { id: 'account.edu.el', defaultMessage: 'Elementary/primary school' },
  eduNone: { id: 'account.edu.none', defaultMessage: 'No formal education' },
  eduO: { id: 'account.edu.o', defaultMessage: 'Other education' },
  socialHelp: { id: 'account.socialHelp', defaultMessage: 'Your username on the site, or the address of your page there.' },
  saved: { id: 'account.saved', defaultMessage: 'Your changes are saved.' },
  saveFailed: { id: 'account.saveFailed', defaultMessage: 'This value could not be saved.' },
  network: { id: 'account.network', defaultMessage: 'We could not reach the server. Check your connection and try again.' },
});

const LANGUAGE_NAMES: Record<Locale, string> = { en: 'English', ar: 'العربية' };
const PLATFORM_NAMES: Record<string, string> = { facebook: 'Facebook', twitter: 'Twitter', linkedin: 'LinkedIn' };

interface SettingsData {
  account: Account;
  preferences: Record<string, string>;
}

async function loadSettings(username: string, signal: AbortSignal): Promise<SettingsData> {
  const path = encodeURIComponent(username);
  const [account, preferences] = await Promise.all([
    request(`/api/user/v1/accounts/${path}`, { signal }),
    request(`/api/user/v1/preferences/${path}`, { signal }),
  ]);
  return { account: parseAccount(account), preferences: (preferences ?? {}) as Record<string, string> };
}

function genderOptions(intl: IntlShape): [string, string][] {
  return [['m', intl.formatMessage(messages.genderM)], ['f', intl.formatMessage(messages.genderF)], ['o', intl.formatMessage(messages.genderO)]];
}

function educationOptions(intl: IntlShape): [string, string][] {
  const m = messages;
  return [
    ['p', m.eduP], ['m', m.eduM], ['b', m.eduB], ['a', m.eduA], ['hs', m.eduHs],
    ['jhs', m.eduJhs], ['el', m.eduEl], ['none', m.eduNone], ['o', m.eduO],
  ].map(([v, d]) => [v as string, intl.formatMessage(d as (typeof messages)['eduP'])]);
}

/** A select over [value, label] pairs with a "Not set" first option. */
function selectInput(options: [string, string][], notSet: string | null) {
  return function SelectInput({ id, value, onChange }: InputProps<string>) {
    return (
      <Form.Control as="select" id={id} value={value} onChange={(e: React.ChangeEvent<HTMLSelectElement>) => onChange(e.target.value)}>
        {notSet !== null && <option value="">{notSet}</option>}
        {options.map(([v, label]) => (
          <option key={v} value={v}>
            {label}
          </option>
        ))}
      </Form.Control>
    );
  };
}

function textInput(type: 'text' | 'email', autoComplete?: string) {
  return function TextInput({ id, value, onChange }: InputProps<string>) {
    return (
      <Form.Control type={type} id={id} value={value} autoComplete={autoComplete} onChange={(e: React.ChangeEvent<HTMLInputElement>) => onChange(e.target.value)} />
    );
  };
}

const labelOf = (options: [string, string][], value: string | null) => (value ? options.find(([v]) => v === value)?.[1] ?? value : null);

export default function AccountSettings() {
  const intl = useIntl();
  usePageTitle(intl.formatMessage(messages.title));
  const { user } = useSite();
  const data = useLoad((signal) => (user ? loadSettings(user.username, signal) : Promise.resolve(null)), [user?.username]);
  const [toast, setToast] = useState<string | null>(null);
  useInteractiveMark(data.status === 'done');

  if (user === undefined) return <Loading />;
  if (!user) return <Navigate to="/login?next=%2Faccount%2Fsettings" replace />;
  if (data.status === 'loading') return <Loading />;
  if (data.status === 'error' || !data.data) {
    return (
      <div className="container-xl">
        <ErrorPanel error={data.error} onRetry={data.retry} />
      </div>
    );
  }
  const { account, preferences } = data.data;
  const saveMessages = { failed: intl.formatMessage(messages.saveFailed), network: intl.formatMessage(messages.network) };
  const saved = () => setToast(intl.formatMessage(messages.saved));
  const save = async (patch: Record<string, unknown>, field: string): Promise<string | null> => {
    const result = await saveAccount(account.username, patch, field, saveMessages);
    if (typeof result === 'string') return result;
    data.setData({ account: result, preferences });
    saved();
    return null;
  };
  const savePref = async (key: string, value: string): Promise<string | null> => {
    const error = await savePreferences(account.username, { [key]: value === '' ? null : value }, key, saveMessages);
    if (error !== null) return error;
    const next = { ...preferences };
    if (value === '') delete next[key];
    else next[key] = value;
    data.setData({ account, preferences: next });
    saved();
    return null;
  };
  const notSet = intl.formatMessage(messages.choose);
  const genders = genderOptions(intl);
  const education = educationOptions(intl);
  const countries = namedOptions(COUNTRY_CODES, intl.locale, 'region');
  const years = birthYears(new Date()).map((y): [string, string] => [String(y), String(y)]);
  const languages = SUPPORTED_LOCALES.map((l): [string, string] => [l, LANGUAGE_NAMES[l]]);
  const zones = timeZones().map((z): [string, string] => [z, z.replace(/_/g, ' ')]);
  const visibility: [string, string][] = [
    ['all_users', intl.formatMessage(messages.visibilityAll)],
    ['private', intl.formatMessage(messages.visibilityPrivate)],
    ...(account.privacy === 'custom' ? [['custom', intl.formatMessage(messages.visibilityCustom)] as [string, string]] : []),
  ];
  const prefLang = preferences['pref-lang'] ?? '';

  return (
    <div className="container-xl larch-settings">
      <h1 className="mt-4 mb-4">{intl.formatMessage(messages.title)}</h1>
      <section className="larch-panel" aria-labelledby="settings-info">
        <h2 id="settings-info" className="h4">{intl.formatMessage(messages.info)}</h2>
        <EditableField<string> name="username" label={intl.formatMessage(messages.username)} value={account.username}
          display={account.username} help={intl.formatMessage(messages.usernameHelp)} editable={false}
          renderInput={() => null} onSave={async () => null} />
        <EditableField<string> name="name" label={intl.formatMessage(messages.name)} value={account.name ?? ''}
          display={account.name} help={intl.formatMessage(messages.nameHelp)} renderInput={textInput('text', 'name')}
          onSave={(v) => save({ name: v }, 'name')} />
        <EditableField<string> name="email" label={intl.formatMessage(messages.email)} value={account.email ?? ''}
          display={account.email} help={intl.formatMessage(messages.emailHelp)} renderInput={textInput('email', 'email')}
          onSave={(v) => save({ email: v }, 'email')} />
        <PasswordReset email={account.email} />
        <EditableField<string> name="year_of_birth" label={intl.formatMessage(messages.yearOfBirth)}
          value={account.yearOfBirth ? String(account.yearOfBirth) : ''} display={account.yearOfBirth ? String(account.yearOfBirth) : null}
          renderInput={selectInput(years, notSet)}
          onSave={(v) => save({ year_of_birth: v ? Number(v) : null }, 'year_of_birth')} />
        <EditableField<string> name="country" label={intl.formatMessage(messages.country)} value={account.country ?? ''}
          display={account.country ? displayName(account.country, intl.locale, 'region') : null}
          renderInput={selectInput(countries, notSet)} onSave={(v) => save({ country: v || null }, 'country')} />
      </section>
      <section className="larch-panel" aria-labelledby="settings-profile">
        <h2 id="settings-profile" className="h4">{intl.formatMessage(messages.profileInfo)}</h2>
        <EditableField<string> name="level_of_education" label={intl.formatMessage(messages.education)}
          value={account.levelOfEducation ?? ''} display={labelOf(education, account.levelOfEducation)}
          renderInput={selectInput(education, notSet)} onSave={(v) => save({ level_of_education: v || null }, 'level_of_education')} />
        <EditableField<string> name="gender" label={intl.formatMessage(messages.gender)} value={account.gender ?? ''}
          display={labelOf(genders, account.gender)} renderInput={selectInput(genders, notSet)}
          onSave={(v) => save({ gender: v || null }, 'gender')} />
        <EditableField<string> name="account_privacy" label={intl.formatMessage(messages.visibility)} value={account.privacy}
          display={labelOf(visibility, account.privacy)}
          help={account.requiresParentalConsent ? intl.formatMessage(messages.consent) : intl.formatMessage(messages.visibilityHelp)}
          renderInput={selectInput(visibility, null)} onSave={(v) => save({ account_privacy: v }, 'account_privacy')} />
      </section>
      <section className="larch-panel" aria-labelledby="settings-site">
        <h2 id="settings-site" className="h4">{intl.formatMessage(messages.siteSettings)}</h2>
        <EditableField<string> name="pref-lang" label={intl.formatMessage(messages.language)} value={prefLang || intl.locale}
          display={LANGUAGE_NAMES[(prefLang || intl.locale) as Locale] ?? prefLang} renderInput={selectInput(languages, null)}
          onSave={async (v) => {
            const error = await savePref('pref-lang', v);
            if (error === null && v !== intl.locale) {
              rememberLocale(v as Locale);
              window.location.reload();
            }
            return error;
          }} />
        <EditableField<string> name="time_zone" label={intl.formatMessage(messages.timeZone)} value={preferences.time_zone ?? ''}
          display={preferences.time_zone ? preferences.time_zone.replace(/_/g, ' ') : intl.formatMessage(messages.timeZoneDefault)}
          renderInput={selectInput(zones, intl.formatMessage(messages.timeZoneDefault))} onSave={(v) => savePref('time_zone', v)} />
      </section>
      <section className="larch-panel" aria-labelledby="social" id="social-links">
        <h2 id="social" className="h4">{intl.formatMessage(messages.social)}</h2>
        {SOCIAL_PLATFORMS.map((p) => {
          const link = account.socialLinks.find((l) => l.platform === p)?.social_link ?? '';
          return (
            <EditableField<string> key={p} name={`social-${p}`} label={PLATFORM_NAMES[p]} value={link} display={link || null}
              help={intl.formatMessage(messages.socialHelp)} renderInput={textInput('text')}
              onSave={(v) => save({ social_links: [{ platform: p, social_link: v }] }, 'social_links')} />
          );
        })}
      </section>
      <div className="larch-toast-host">
        <Toast show={toast !== null} onClose={() => setToast(null)} delay={4000}>
          {toast ?? ''}
        </Toast>
      </div>
    </div>
  );
}

function PasswordReset({ email }: { email: string | null }) {
  const intl = useIntl();
  const [state, setState] = useState<'default' | 'pending' | 'sent'>('default');
  const [error, setError] = useState<string | null>(null);
  const send = async () => {
    setState('pending');
    setError(null);
    try {
      await request('/password_reset/', { form: { email: email ?? '' } });
      setState('sent');
    } catch (e) {
      setError(e instanceof ApiError ? errorMessage(e.body) ?? intl.formatMessage(messages.saveFailed) : intl.formatMessage(messages.network));
      setState('default');
    }
  };
  return (
    <div className="larch-field" data-field="password">
      <div className="larch-field-head">
        <h3 className="larch-field-label">{intl.formatMessage(messages.password)}</h3>
      </div>
      {state === 'sent' ? (
        <Alert variant="success" className="mb-0" role="status">
          {intl.formatMessage(messages.resetSent, { email })}
        </Alert>
      ) : (
        <>
          <StatefulButton
            variant="outline-primary"
            size="sm"
            state={state}
            onClick={() => void send()}
            labels={{ default: intl.formatMessage(messages.resetPassword), pending: intl.formatMessage(messages.resetSending) }}
          />
          {error && (
            <p className="text-danger small mb-0 mt-2" role="alert">
              {error}
            </p>
          )}
          <p className="small text-muted mb-0 mt-1">{intl.formatMessage(messages.passwordHelp)}</p>
        </>
      )}
    </div>
  );
}
