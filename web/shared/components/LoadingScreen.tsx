// Shown while the app asks the server whether a session exists.
export function LoadingScreen() {
  return (
    <div className="loading-screen" role="status">
      Loading…
    </div>
  );
}
