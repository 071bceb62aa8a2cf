// Platform staff and every user account, with impersonation from a person's page. Mounted under
// /people by the admin console.
import { Route, Routes } from 'react-router';
import { StaffPage } from './StaffPage.js';
import { UserDetailPage } from './UserDetailPage.js';
import { UsersPage } from './UsersPage.js';

export function PeopleRoutes() {
  return (
    <Routes>
      <Route index element={<UsersPage />} />
      <Route path="staff" element={<StaffPage />} />
      <Route path="users/:id" element={<UserDetailPage />} />
    </Routes>
  );
}
