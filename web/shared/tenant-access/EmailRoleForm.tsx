// The form that names a person by email and gives them a role: inviting someone, or adding an
// existing account as a member. Only the words, the ids' prefix and what submitting does differ.
import { useState, type FormEvent } from 'react';
import { Field, describedBy } from '../components/Field.js';
import { FormCard } from '../components/FormCard.js';
import { mapFieldErrors, topLevelField } from '../forms.js';
import { useSubmission } from '../use-submission.js';
import { RoleSelect } from './RoleSelect.js';

type EmailRoleField = 'email' | 'role';

interface EmailRoleFormProps<T> {
  /** Prefix of the fields' ids (`${prefix}-email`, `${prefix}-role`), unique on the page. */
  prefix: string;
  title: string;
  description: string;
  submitLabel: string;
  busyLabel: string;
  options: { value: string; label: string }[];
  /** Sends the form (the email trimmed) and answers what the server created. */
  send(body: { email: string; role: string }): Promise<T>;
  /** After a success, once the email field is emptied. */
  onDone(created: T): Promise<void>;
}

export function EmailRoleForm<T>({ prefix, title, description, submitLabel, busyLabel, options, send, onDone }: EmailRoleFormProps<T>) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('member');
  const { busy, error, run } = useSubmission();
  const mapped = error ? mapFieldErrors<EmailRoleField>(error, (pointer) => (['email', 'role'].includes(topLevelField(pointer)) ? (topLevelField(pointer) as EmailRoleField) : undefined)) : null;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    await run(async () => {
      const created = await send({ email: email.trim(), role });
      setEmail('');
      await onDone(created);
    });
  }

  return (
    <FormCard
      title={title}
      description={description}
      error={error}
      mapped={mapped}
      busy={busy}
      submitLabel={submitLabel}
      busyLabel={busyLabel}
      onSubmit={onSubmit}
    >
      <Field id={`${prefix}-email`} label="Email" error={mapped?.byField.email}>
        <input
          id={`${prefix}-email`}
          className="input"
          type="email"
          autoComplete="off"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          aria-invalid={mapped?.byField.email ? true : undefined}
          aria-describedby={describedBy(`${prefix}-email`)}
        />
      </Field>
      <Field id={`${prefix}-role`} label="Role" error={mapped?.byField.role}>
        <RoleSelect id={`${prefix}-role`} value={role} options={options} onChange={setRole} />
      </Field>
    </FormCard>
  );
}
