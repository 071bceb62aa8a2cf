// The catalog as the customer sees it: the products visible to their organisation (the server
// decides), by category, with a search. Category and search live in the URL so a view can be shared.
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { Product } from '../../../shared/api/types.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { formatMoney } from '../../../shared/money.js';
import { fromPriceText } from '../../../shared/pricing-text.js';
import { preferredCurrency } from './cart.js';
import { useProducts } from '../../../shared/features/catalog/use-catalog.js';


/**
 * The card's "from" price in the currency the customer chose earlier (else the first offered): the
 * cheapest recurring price with its interval, a one-time price only when nothing recurs.
 */
function FromPrice({ product }: { product: Product }) {
  const currency = preferredCurrency(Object.keys(product.fromPrices).sort());
  const price = currency ? product.fromPrices[currency] : undefined;
  if (!price) return null;
  return (
    <p className="from-price" data-currency={price.currency} data-interval={price.interval}>
      {fromPriceText(price)}
      {price.setupFee && <span className="muted"> + {formatMoney(price.setupFee, price.currency)} setup</span>}
    </p>
  );
}

export function CatalogPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const category = params.get('category') ?? '';
  const [searchText, setSearchText] = useState(q);
  useEffect(() => setSearchText(q), [q]);

  const everything = useProducts({});
  const shown = useProducts({ q, category });
  const categories = [...new Set((everything.data ?? []).map((product) => product.category))].sort((a, b) => a.localeCompare(b));

  function apply(next: { q?: string; category?: string }) {
    const merged = { q, category, ...next };
    const search = new URLSearchParams();
    if (merged.q) search.set('q', merged.q);
    if (merged.category) search.set('category', merged.category);
    setParams(search);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    apply({ q: searchText.trim() });
  }

  return (
    <>
      <PageHeader
        title="Products"
        subtitle="What your organisation can order."
        actions={
          <Link to="/cart" className="button">
            Cart
          </Link>
        }
      />
      {/* Filters that stay chosen: pressed buttons, so the chosen one is announced as such. */}
      <nav className="tabs" aria-label="Categories">
        <button type="button" className={category === '' ? 'tab active' : 'tab'} onClick={() => apply({ category: '' })} aria-pressed={category === ''}>
          All
        </button>
        {categories.map((name) => (
          <button key={name} type="button" className={category === name ? 'tab active' : 'tab'} onClick={() => apply({ category: name })} aria-pressed={category === name}>
            {name}
          </button>
        ))}
      </nav>
      <div className="stack">
        <form className="toolbar card" role="search" aria-label="Find products" onSubmit={submit}>
          <label className="visually-hidden" htmlFor="product-search">
            Search products
          </label>
          <input id="product-search" className="input" type="search" placeholder="Search by name or description" value={searchText} maxLength={200} onChange={(event) => setSearchText(event.target.value)} />
          <button type="submit" className="button">
            Search
          </button>
          {(q || category) && (
            <button type="button" className="button button-ghost" onClick={() => setParams(new URLSearchParams())}>
              Clear filters
            </button>
          )}
        </form>
        <ErrorAlert error={shown.error ?? everything.error} />
        {shown.loading && !shown.data && <div className="table-empty">Loading products…</div>}
        {shown.data && shown.data.length === 0 && (
          <div className="card table-empty">
            {q || category ? 'No products match this search.' : 'No products are offered to your organisation yet.'}
          </div>
        )}
        {shown.data && shown.data.length > 0 && (
          <div className="product-grid" aria-busy={shown.loading}>
            {shown.data.map((product) => (
              <article key={product.id} className="card product-card" data-product-id={product.id} aria-labelledby={`product-${product.id}-name`}>
                <span className="muted">{product.category}</span>
                <h3 id={`product-${product.id}-name`}>
                  <Link to={`/products/${product.id}`}>
                    {product.name}
                  </Link>
                </h3>
                <p className="muted">{product.description || 'No description.'}</p>
                <FromPrice product={product} />
              </article>
            ))}
          </div>
        )}
      </div>
    </>
  );
}
