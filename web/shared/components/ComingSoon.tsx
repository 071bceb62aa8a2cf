// An honest placeholder for a section whose feature has not shipped: no sample data, just what will
// live here.
export function ComingSoon({ title, description }: { title: string; description: string }) {
  return (
    <section className="card coming-soon">
      <h2>{title} arrive in a later release</h2>
      <p>{description}</p>
    </section>
  );
}
