// What a change just did, said above the page's content (announced to screen readers as a status).
export function SuccessNotice({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <div className="alert alert-success" role="status">
      {message}
    </div>
  );
}
