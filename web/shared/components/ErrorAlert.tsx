// Shows a problem document to people: its detail, plus the request id to quote in a support request.
import type { ApiError } from '../api/problem.js';

export function ErrorAlert({ error }: { error: ApiError | null }) {
  if (!error) return null;
  const { detail, requestId } = error.problem;
  return (
    <div className="alert alert-error" role="alert">
      <div>{detail}</div>
      {requestId && <div className="alert-meta">Request id: <span className="mono">{requestId}</span></div>}
    </div>
  );
}
