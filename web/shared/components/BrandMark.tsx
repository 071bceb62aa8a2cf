// The product mark plus the app's name, used in the sidebar and on the sign-in card.
export function BrandMark({ appLabel }: { appLabel: string }) {
  return (
    <div className="brand">
      <span className="brand-mark" aria-hidden="true">
        P
      </span>
      <span className="brand-name">
        Platforma
        <span className="brand-app">{appLabel}</span>
      </span>
    </div>
  );
}
