// A policy in words, read-only: one line per statement (effect, actions, resources, conditions).
import type { Statement } from '../../../shared/tenant-access/tenant-roles.js';

export function StatementSummary({ statements }: { statements: Statement[] }) {
  return (
    <ul className="statement-summary">
      {statements.map((statement, i) => (
        <li key={i}>
          <span className={statement.effect === 'deny' ? 'effect-deny' : 'effect-allow'}>{statement.effect === 'deny' ? 'Deny' : 'Allow'}</span>{' '}
          <code>{statement.actions.join(', ')}</code> on <code>{statement.resources.join(', ')}</code>
          {statement.conditions?.mfa !== undefined && <> — {statement.conditions.mfa ? 'with MFA only' : 'without MFA only'}</>}
          {statement.conditions?.sourceIp && <> — from {statement.conditions.sourceIp.join(', ')}</>}
          {statement.sid && <span className="faint"> ({statement.sid})</span>}
        </li>
      ))}
    </ul>
  );
}
