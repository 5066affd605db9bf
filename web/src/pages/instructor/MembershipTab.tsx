// Membership (upstream's membership section): batch enrollment of a pasted
// list (students_update_enrollment) with its per-identifier results, and the
// course team's roles (modify_access) with each reply next to its row.
import { useState } from 'react';
import { Badge, Button, Form } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';
import type { MessageDescriptor } from 'react-intl';
import { accessOutcome, parseEnrollmentReply, parseIdentifiers } from '../../lib/instructor';
import type { AccessOutcome, EnrollmentOutcome, EnrollmentReply } from '../../lib/instructor';
import { ApiError } from '../../api/http';
import { ActionError, postInstructor, sharedMessages, useAction, useErrorText } from './shared';

const messages = defineMessages({
  batchTitle: { id: 'instructor.batch.title', defaultMessage: 'Batch enrollment' },
  identifiers: { id: 'instructor.batch.identifiers', defaultMessage: 'Email addresses or usernames' },
  identifiersHelp: {
    id: 'instructor.batch.help',
    defaultMessage: 'Separate them with new lines or commas. Learners without an account yet are enrolled once they register.',
  },
  autoEnroll: { id: 'instructor.batch.autoEnroll', defaultMessage: 'Auto enroll' },
  autoEnrollHelp: {
    id: 'instructor.batch.autoEnrollHelp',
    defaultMessage: 'Learners who register later with one of these email addresses are enrolled automatically.',
  },
  notify: { id: 'instructor.batch.notify', defaultMessage: 'Notify learners by email' },
  enroll: { id: 'instructor.batch.enroll', defaultMessage: 'Enroll' },
  unenroll: { id: 'instructor.batch.unenroll', defaultMessage: 'Unenroll' },
  empty: { id: 'instructor.batch.empty', defaultMessage: 'Enter at least one email address or username.' },
  count: { id: 'instructor.batch.count', defaultMessage: '{count, plural, one {# learner} other {# learners}} in the list' },
  resultsTitle: { id: 'instructor.batch.results', defaultMessage: 'Results' },
  identifier: { id: 'instructor.batch.identifier', defaultMessage: 'Email or username' },
  result: { id: 'instructor.batch.result', defaultMessage: 'Result' },
  enrolled: { id: 'instructor.outcome.enrolled', defaultMessage: 'Enrolled' },
  alreadyEnrolled: { id: 'instructor.outcome.alreadyEnrolled', defaultMessage: 'Already enrolled' },
  allowed: { id: 'instructor.outcome.allowed', defaultMessage: 'Allowed to enroll once registered' },
  allowedAuto: { id: 'instructor.outcome.allowedAuto', defaultMessage: 'Will be enrolled once registered' },
  unenrolled: { id: 'instructor.outcome.unenrolled', defaultMessage: 'No longer enrolled' },
  notEnrolled: { id: 'instructor.outcome.notEnrolled', defaultMessage: 'Was not enrolled' },
  invalid: { id: 'instructor.outcome.invalid', defaultMessage: 'Invalid email address or username' },
  error: { id: 'instructor.outcome.error', defaultMessage: 'Error' },
  teamTitle: { id: 'instructor.team.title', defaultMessage: 'Course team' },
  teamHelp: {
    id: 'instructor.team.help',
    defaultMessage: 'Staff can see the course team pages and all course content; admins can also change the course team. Beta testers see content before its release.',
  },
  member: { id: 'instructor.team.member', defaultMessage: 'Email address or username' },
  role: { id: 'instructor.team.role', defaultMessage: 'Role' },
  roleStaff: { id: 'instructor.team.roleStaff', defaultMessage: 'Staff' },
  roleInstructor: { id: 'instructor.team.roleInstructor', defaultMessage: 'Admin' },
  roleBeta: { id: 'instructor.team.roleBeta', defaultMessage: 'Beta tester' },
  grant: { id: 'instructor.team.grant', defaultMessage: 'Add to role' },
  revoke: { id: 'instructor.team.revoke', defaultMessage: 'Remove from role' },
  changes: { id: 'instructor.team.changes', defaultMessage: 'Changes made on this page' },
  change: { id: 'instructor.team.change', defaultMessage: 'Change' },
  allowedAction: { id: 'instructor.team.allowed', defaultMessage: 'Added to {role}' },
  revokedAction: { id: 'instructor.team.revoked', defaultMessage: 'Removed from {role}' },
  done: { id: 'instructor.access.done', defaultMessage: 'Done' },
  noUser: { id: 'instructor.access.noUser', defaultMessage: 'There is no user with this email address or username.' },
  inactive: { id: 'instructor.access.inactive', defaultMessage: 'This user has not activated their account yet.' },
  removingSelf: { id: 'instructor.access.self', defaultMessage: 'You cannot remove yourself from the Admin role.' },
  pending: { id: 'instructor.access.pending', defaultMessage: 'Saving…' },
});

const OUTCOMES: Record<EnrollmentOutcome, { text: MessageDescriptor; variant: string }> = {
  enrolled: { text: messages.enrolled, variant: 'success' },
  alreadyEnrolled: { text: messages.alreadyEnrolled, variant: 'info' },
  allowed: { text: messages.allowed, variant: 'info' },
  allowedAuto: { text: messages.allowedAuto, variant: 'info' },
  unenrolled: { text: messages.unenrolled, variant: 'success' },
  notEnrolled: { text: messages.notEnrolled, variant: 'warning' },
  invalid: { text: messages.invalid, variant: 'danger' },
  error: { text: messages.error, variant: 'danger' },
};

export default function MembershipTab({ courseId }: { courseId: string }) {
  return (
    <>
      <BatchEnrollment courseId={courseId} />
      <CourseTeam courseId={courseId} />
    </>
  );
}

function BatchEnrollment({ courseId }: { courseId: string }) {
  const intl = useIntl();
  const [text, setText] = useState('');
  const [autoEnroll, setAutoEnroll] = useState(true);
  const [notify, setNotify] = useState(true); // checked by default, as upstream's form
  const [empty, setEmpty] = useState(false);
  const ids = parseIdentifiers(text);
  const action = useAction(async (kind: 'enroll' | 'unenroll', list: string[]): Promise<EnrollmentReply> =>
    parseEnrollmentReply(await postInstructor(courseId, 'students_update_enrollment', {
      action: kind,
      identifiers: list.join('\n'),
      auto_enroll: autoEnroll,
      email_students: notify,
    })));
  const submit = (kind: 'enroll' | 'unenroll') => {
    setEmpty(ids.length === 0);
    if (ids.length > 0) void action.run(kind, ids);
  };
  return (
    <section className="larch-instructor-section" aria-labelledby="batch-title">
      <h2 id="batch-title" className="h3">{intl.formatMessage(messages.batchTitle)}</h2>
      <Form.Group controlId="batch-identifiers" isInvalid={empty}>
        <Form.Label>{intl.formatMessage(messages.identifiers)}</Form.Label>
        <Form.Control as="textarea" rows={4} value={text} onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setText(e.target.value)} />
        <Form.Control.Feedback type={empty ? 'invalid' : 'default'}>
          {empty ? intl.formatMessage(messages.empty) : intl.formatMessage(messages.identifiersHelp)}
        </Form.Control.Feedback>
        {ids.length > 0 && <p className="small text-muted mb-0">{intl.formatMessage(messages.count, { count: ids.length })}</p>}
      </Form.Group>
      <Form.Group>
        <Form.Checkbox checked={autoEnroll} onChange={(e: React.ChangeEvent<HTMLInputElement>) => setAutoEnroll(e.target.checked)}
          description={intl.formatMessage(messages.autoEnrollHelp)}>
          {intl.formatMessage(messages.autoEnroll)}
        </Form.Checkbox>
      </Form.Group>
      <Form.Group>
        <Form.Checkbox checked={notify} onChange={(e: React.ChangeEvent<HTMLInputElement>) => setNotify(e.target.checked)}>
          {intl.formatMessage(messages.notify)}
        </Form.Checkbox>
      </Form.Group>
      <div className="larch-instructor-actions">
        <Button variant="primary" disabled={action.status === 'busy'} onClick={() => submit('enroll')}>
          {intl.formatMessage(messages.enroll)}
        </Button>
        <Button variant="outline-primary" disabled={action.status === 'busy'} onClick={() => submit('unenroll')}>
          {intl.formatMessage(messages.unenroll)}
        </Button>
      </div>
      {action.status === 'error' && <ActionError error={action.error} onRetry={action.retry} />}
      <div aria-live="polite">
        {action.status === 'done' && (
          <div className="table-responsive mt-3">
            <table className="table table-sm larch-instructor-table larch-enrollment-results">
              <caption>{intl.formatMessage(messages.resultsTitle)}</caption>
              <thead>
                <tr>
                  <th scope="col">{intl.formatMessage(messages.identifier)}</th>
                  <th scope="col">{intl.formatMessage(messages.result)}</th>
                </tr>
              </thead>
              <tbody>
                {action.data.results.map((r) => (
                  <tr key={r.identifier} data-outcome={r.outcome}>
                    <td>{r.identifier}</td>
                    <td><Badge variant={OUTCOMES[r.outcome].variant}>{intl.formatMessage(OUTCOMES[r.outcome].text)}</Badge></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </section>
  );
}

type Role = 'staff' | 'instructor' | 'beta';
const ROLE_NAMES: Record<Role, MessageDescriptor> = {
  staff: messages.roleStaff,
  instructor: messages.roleInstructor,
  beta: messages.roleBeta,
};

interface Change {
  key: number;
  identifier: string;
  role: Role;
  action: 'allow' | 'revoke';
  state: 'pending' | AccessOutcome;
  error?: unknown;
}

function CourseTeam({ courseId }: { courseId: string }) {
  const intl = useIntl();
  const errorText = useErrorText();
  const [identifier, setIdentifier] = useState('');
  const [role, setRole] = useState<Role>('staff');
  const [changes, setChanges] = useState<Change[]>([]);
  const [empty, setEmpty] = useState(false);
  const update = (key: number, patch: Partial<Change>) =>
    setChanges((all) => all.map((c) => (c.key === key ? { ...c, ...patch } : c)));
  const send = async (change: Change) => {
    update(change.key, { state: 'pending', error: undefined });
    try {
      const body = await postInstructor(courseId, 'modify_access', {
        unique_student_identifier: change.identifier,
        rolename: change.role,
        action: change.action,
      });
      update(change.key, { state: accessOutcome(body) });
    } catch (error) {
      update(change.key, { state: 'failed', error });
    }
  };
  const submit = (kind: 'allow' | 'revoke') => {
    const id = identifier.trim();
    setEmpty(!id);
    if (!id) return;
    const change: Change = { key: Date.now() + Math.random(), identifier: id, role, action: kind, state: 'pending' };
    setChanges((all) => [change, ...all]);
    void send(change);
  };
  const stateText = (c: Change) => {
    if (c.state === 'pending') return intl.formatMessage(messages.pending);
    if (c.state === 'failed') return errorText(c.error);
    return intl.formatMessage(messages[c.state]);
  };
  return (
    <section className="larch-instructor-section" aria-labelledby="team-title">
      <h2 id="team-title" className="h3">{intl.formatMessage(messages.teamTitle)}</h2>
      <p className="text-muted">{intl.formatMessage(messages.teamHelp)}</p>
      <div className="larch-instructor-row">
        <Form.Group controlId="team-identifier" isInvalid={empty} className="flex-grow-1">
          <Form.Label>{intl.formatMessage(messages.member)}</Form.Label>
          <Form.Control value={identifier} onChange={(e: React.ChangeEvent<HTMLInputElement>) => setIdentifier(e.target.value)}
            onKeyDown={(e: React.KeyboardEvent) => { if (e.key === 'Enter') submit('allow'); }} />
          {empty && <Form.Control.Feedback type="invalid">{intl.formatMessage(messages.empty)}</Form.Control.Feedback>}
        </Form.Group>
        <Form.Group controlId="team-role">
          <Form.Label>{intl.formatMessage(messages.role)}</Form.Label>
          <Form.Control as="select" value={role} onChange={(e: React.ChangeEvent<HTMLSelectElement>) => setRole(e.target.value as Role)}>
            {(Object.keys(ROLE_NAMES) as Role[]).map((r) => (
              <option key={r} value={r}>{intl.formatMessage(ROLE_NAMES[r])}</option>
            ))}
          </Form.Control>
        </Form.Group>
      </div>
      <div className="larch-instructor-actions">
        <Button variant="primary" onClick={() => submit('allow')}>{intl.formatMessage(messages.grant)}</Button>
        <Button variant="outline-primary" onClick={() => submit('revoke')}>{intl.formatMessage(messages.revoke)}</Button>
      </div>
      {changes.length > 0 && (
        <div className="table-responsive mt-3" aria-live="polite">
          <table className="table table-sm larch-instructor-table larch-team-changes">
            <caption>{intl.formatMessage(messages.changes)}</caption>
            <thead>
              <tr>
                <th scope="col">{intl.formatMessage(messages.member)}</th>
                <th scope="col">{intl.formatMessage(messages.change)}</th>
                <th scope="col">{intl.formatMessage(messages.result)}</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((c) => (
                <tr key={c.key} data-state={c.state}>
                  <td>{c.identifier}</td>
                  <td>
                    {intl.formatMessage(c.action === 'allow' ? messages.allowedAction : messages.revokedAction, {
                      role: intl.formatMessage(ROLE_NAMES[c.role]),
                    })}
                  </td>
                  <td className={c.state === 'done' ? 'text-success' : c.state === 'pending' ? '' : 'text-danger'}>
                    {stateText(c)}
                    {c.state === 'failed' && !(c.error instanceof ApiError) && (
                      <Button variant="link" size="sm" onClick={() => void send(c)}>{intl.formatMessage(sharedMessages.retry)}</Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
