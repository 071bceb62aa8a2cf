// Choosing one of the tenant's roles in a form (for a key, a client, an invitation or a new member).
import { describedBy } from '../components/Field.js';

interface RoleSelectProps {
  /** The element id, which its field's label and messages point at. */
  id: string;
  value: string;
  options: { value: string; label: string }[];
  onChange(value: string): void;
}

export function RoleSelect({ id, value, options, onChange }: RoleSelectProps) {
  return (
    <select id={id} className="select" value={value} onChange={(event) => onChange(event.target.value)} aria-describedby={describedBy(id)}>
      {options.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </select>
  );
}
