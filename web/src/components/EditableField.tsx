// One field of the profile or account settings page: its value with an Edit
// button, or a small form (Save / Cancel, Escape cancels) that shows the
// server's error for the field under the input.
import { useEffect, useRef, useState } from 'react';
import type { FormEvent, KeyboardEvent, ReactNode } from 'react';
import { Button, Form, StatefulButton } from '@openedx/paragon';
import { defineMessages, useIntl } from 'react-intl';

const messages = defineMessages({
  edit: { id: 'editable.edit', defaultMessage: 'Edit' },
  editLabel: { id: 'editable.editLabel', defaultMessage: 'Edit {label}' },
  save: { id: 'editable.save', defaultMessage: 'Save' },
  saving: { id: 'editable.saving', defaultMessage: 'Saving…' },
  cancel: { id: 'editable.cancel', defaultMessage: 'Cancel' },
  notSet: { id: 'editable.notSet', defaultMessage: 'Not set' },
});

export interface InputProps<T> {
  id: string;
  value: T;
  onChange: (value: T) => void;
}

export function EditableField<T>({
  name,
  label,
  value,
  display,
  help,
  editable = true,
  renderInput,
  onSave,
}: {
  name: string;
  label: string;
  value: T;
  /** What the field shows when not editing; null or "" reads "Not set". */
  display: ReactNode;
  help?: ReactNode;
  editable?: boolean;
  renderInput: (props: InputProps<T>) => ReactNode;
  /** Saves the value: null when saved, else the message to show next to the field. */
  onSave: (value: T) => Promise<string | null>;
}) {
  const intl = useIntl();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<T>(value);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const returnFocus = useRef(false);
  const id = `field-${name}`;

  useEffect(() => {
    if (editing) {
      formRef.current?.querySelector<HTMLElement>('input,select,textarea')?.focus();
    } else if (returnFocus.current) {
      returnFocus.current = false;
      editButton.current?.focus();
    }
  }, [editing]);

  const start = () => {
    setDraft(value);
    setError(null);
    setEditing(true);
  };
  const stop = () => {
    returnFocus.current = true;
    setEditing(false);
    setError(null);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setPending(true);
    const message = await onSave(draft);
    setPending(false);
    if (message === null) stop();
    else {
      setError(message);
      formRef.current?.querySelector<HTMLElement>('input,select,textarea')?.focus();
    }
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      stop();
    }
  };

  if (!editing) {
    const empty = display === null || display === '' || display === undefined;
    return (
      <div className="larch-field" data-field={name}>
        <div className="larch-field-head">
          <h3 className="larch-field-label" id={`${id}-label`}>
            {label}
          </h3>
          {editable && (
            <Button
              ref={editButton}
              variant="link"
              size="sm"
              className="larch-field-edit"
              onClick={start}
              aria-label={intl.formatMessage(messages.editLabel, { label })}
            >
              {intl.formatMessage(messages.edit)}
            </Button>
          )}
        </div>
        <div className={empty ? 'larch-field-value text-muted' : 'larch-field-value'} dir="auto">
          {empty ? intl.formatMessage(messages.notSet) : display}
        </div>
        {help && <p className="small text-muted mb-0 mt-1">{help}</p>}
      </div>
    );
  }
  return (
    <form ref={formRef} className="larch-field larch-field-editing" data-field={name} onSubmit={(e) => void submit(e)} onKeyDown={onKeyDown} noValidate>
      <Form.Group controlId={id} isInvalid={Boolean(error)} className="mb-2">
        <Form.Label className="larch-field-label">{label}</Form.Label>
        {renderInput({ id, value: draft, onChange: setDraft })}
        {error && (
          <Form.Control.Feedback type="invalid" hasIcon={false}>
            {error}
          </Form.Control.Feedback>
        )}
        {help && !error && <Form.Text>{help}</Form.Text>}
      </Form.Group>
      <div className="d-flex larch-gap">
        <StatefulButton
          type="submit"
          variant="primary"
          size="sm"
          state={pending ? 'pending' : 'default'}
          labels={{ default: intl.formatMessage(messages.save), pending: intl.formatMessage(messages.saving) }}
        />
        <Button variant="outline-primary" size="sm" onClick={stop}>
          {intl.formatMessage(messages.cancel)}
        </Button>
      </div>
    </form>
  );
}
