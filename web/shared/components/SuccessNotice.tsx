// What a change just did, said above the page's content (announced to screen readers as a status).
export function SuccessNotice({ message, testId }: { message: string | null; testId?: string }) {
  if (!message) return null;
  return (
    <div className="alert alert-success" role="status" data-testid={testId}>
      {message}
    </div>
  );
}
