// One member of a tenant in a members table, as the portal's organisation page and the admin
// console's tenant page both show it: name, email, the role (a picker where it may be changed, with
// a "Change role" button once another is picked), when they joined, and Remove where allowed.
import { DangerRowButton } from '../components/DangerRowButton.js';
import { formatDateTime } from '../format.js';
import { withCurrentRole, type TenantRoles } from './tenant-roles.js';

export interface TenantMember {
  userId: string;
  email: string;
  name: string | null;
  role: string;
  joinedAt: string;
}

interface MemberRowProps<M extends TenantMember> {
  member: M;
  roles: TenantRoles;
  /** The role picked but not saved yet, if any. */
  pickedRole: string | undefined;
  onPickRole?: (role: string) => void;
  /** Whether a role change of this row is being saved. */
  saving: boolean;
  onSaveRole(member: M): void;
  onRemove?: (member: M) => void;
}

/** `onPickRole` and `onRemove` are given only to people allowed to change a role or remove a member. */
export function MemberRow<M extends TenantMember>({ member, roles, pickedRole, onPickRole, saving, onSaveRole, onRemove }: MemberRowProps<M>) {
  const changed = pickedRole !== undefined && pickedRole !== member.role;
  return (
    <tr>
      <td>{member.name ?? <span className="faint">—</span>}</td>
      <td>{member.email}</td>
      <td>
        {onPickRole ? (
          <select
            className="select inline-select"
            aria-label={`Role of ${member.email}`}
            value={pickedRole ?? member.role}
            onChange={(event) => onPickRole(event.target.value)}
          >
            {withCurrentRole(roles.options, member.role, roles.nameOf).map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        ) : (
          roles.nameOf(member.role)
        )}
      </td>
      <td className="muted">{formatDateTime(member.joinedAt)}</td>
      <td>
        <div className="row-actions">
          {changed && (
            <button type="button" className="button button-primary" disabled={saving} onClick={() => onSaveRole(member)}>
              {saving ? 'Saving…' : 'Change role'}
            </button>
          )}
          {onRemove && (
            <DangerRowButton onClick={() => onRemove(member)}>
              Remove
            </DangerRowButton>
          )}
        </div>
      </td>
    </tr>
  );
}
