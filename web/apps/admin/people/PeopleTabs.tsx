// The two lists of the People section: every account, and the platform staff.
import { NavLink } from 'react-router';

export function PeopleTabs() {
  return (
    <nav className="tabs" aria-label="People">
      <NavLink to="/people" end className="tab">
        All users
      </NavLink>
      <NavLink to="/people/staff" className="tab">
        Staff
      </NavLink>
    </nav>
  );
}
