import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { IntlProvider } from 'react-intl';
import { Form } from '@openedx/paragon';
import { EditableField } from './EditableField';

function renderField(onSave: (v: string) => Promise<string | null>) {
  return render(
    <IntlProvider locale="en" messages={{}}>
      <EditableField<string>
        name="name"
        label="Full name"
        value="Lena"
        display="Lena"
        renderInput={({ id, value, onChange }) => (
          <Form.Control id={id} value={value} onChange={(e: React.ChangeEvent<HTMLInputElement>) => onChange(e.target.value)} />
        )}
        onSave={onSave}
      />
    </IntlProvider>,
  );
}

afterEach(cleanup);

describe('EditableField', () => {
  it("shows the server's message next to the field and keeps the draft", async () => {
    const onSave = vi.fn().mockResolvedValue('Full Name cannot contain the following characters: < >');
    renderField(onSave);
    fireEvent.click(screen.getByRole('button', { name: 'Edit Full name' }));
    const input = screen.getByLabelText('Full name');
    expect(document.activeElement).toBe(input);
    fireEvent.change(input, { target: { value: '<b>Lena</b>' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Full Name cannot contain the following characters: < >')).toBeTruthy();
    expect(onSave).toHaveBeenCalledWith('<b>Lena</b>');
    expect((screen.getByLabelText('Full name') as HTMLInputElement).value).toBe('<b>Lena</b>');
  });
  it('closes on success and returns focus to Edit; Escape cancels', async () => {
    renderField(vi.fn().mockResolvedValue(null));
    fireEvent.click(screen.getByRole('button', { name: 'Edit Full name' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Edit Full name' })));
    fireEvent.click(screen.getByRole('button', { name: 'Edit Full name' }));
    fireEvent.keyDown(screen.getByLabelText('Full name'), { key: 'Escape' });
    await waitFor(() => expect(screen.queryByLabelText('Full name')).toBeNull());
  });
});
