// The whole catalog for operators: search, kind and category filters, archived products on request.
// Filters live in the URL.
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { PRODUCT_KINDS, type ProductKind } from '../../../shared/api/types.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { formatDateTime } from '../../../shared/format.js';
import { CatalogTabs } from './CatalogRoutes.js';
import { useProductPages } from '../../../shared/features/catalog/use-catalog.js';
import { Pagination } from '../../../shared/cursor-pages.js';

const PAGE_SIZE = 25;

export function kindLabel(kind: ProductKind): string {
  return kind.replace(/_/g, ' ');
}

export function ProductsPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const category = params.get('category') ?? '';
  const kind = PRODUCT_KINDS.find((candidate) => candidate === params.get('kind'));
  const archived = params.get('archived') === '1';
  const [searchText, setSearchText] = useState(q);
  const [categoryText, setCategoryText] = useState(category);
  useEffect(() => setSearchText(q), [q]);
  useEffect(() => setCategoryText(category), [category]);

  function apply(next: { q?: string; category?: string; kind?: ProductKind | undefined; archived?: boolean }) {
    const merged = { q, category, kind, archived, ...next };
    const search = new URLSearchParams();
    if (merged.q) search.set('q', merged.q);
    if (merged.category) search.set('category', merged.category);
    if (merged.kind) search.set('kind', merged.kind);
    if (merged.archived) search.set('archived', '1');
    setParams(search);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    apply({ q: searchText.trim(), category: categoryText.trim() });
  }

  return (
    <>
      <PageHeader
        title="Catalog"
        subtitle="Products, their versions and prices."
        actions={
          <Link to="/catalog/products/new" className="button button-primary">
            New product
          </Link>
        }
      />
      <CatalogTabs />
      <section className="card">
        <form className="toolbar" role="search" aria-label="Find products" onSubmit={submit}>
          <label className="visually-hidden" htmlFor="catalog-search">
            Search products
          </label>
          <input id="catalog-search" className="input" type="search" placeholder="Search name, code, description" value={searchText} maxLength={200} onChange={(event) => setSearchText(event.target.value)} />
          <label className="visually-hidden" htmlFor="catalog-category">
            Category
          </label>
          <input id="catalog-category" className="input" placeholder="Category" value={categoryText} maxLength={100} onChange={(event) => setCategoryText(event.target.value)} />
          <button type="submit" className="button">
            Search
          </button>
          <label className="visually-hidden" htmlFor="catalog-kind">
            Kind
          </label>
          <select id="catalog-kind" className="select" value={kind ?? ''} onChange={(event) => apply({ kind: PRODUCT_KINDS.find((candidate) => candidate === event.target.value) })}>
            <option value="">All kinds</option>
            {PRODUCT_KINDS.map((option) => (
              <option key={option} value={option}>
                {kindLabel(option)}
              </option>
            ))}
          </select>
          <label className="checkbox">
            <input type="checkbox" checked={archived} onChange={(event) => apply({ archived: event.target.checked })} /> Show archived
          </label>
        </form>
        <ProductTable key={`${q}|${category}|${kind ?? ''}|${archived}`} q={q} category={category} kind={kind} archived={archived} />
      </section>
    </>
  );
}

function ProductTable({ q, category, kind, archived }: { q: string; category: string; kind: ProductKind | undefined; archived: boolean }) {
  const page = useProductPages({ q, category, kind, includeArchived: archived }, PAGE_SIZE);
  return (
    <>
      {page.error && (
        <div className="card-body">
          <ErrorAlert error={page.error} />
        </div>
      )}
      <div className="table-wrap">
        <table className="table" aria-label="Products" aria-busy={page.loading}>
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">Code</th>
              <th scope="col">Kind</th>
              <th scope="col">Category</th>
              <th scope="col">Current version</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {page.page?.data.map((product) => (
              <tr key={product.id} data-product-id={product.id}>
                <td>
                  <Link to={`/catalog/products/${product.id}`}>
                    {product.name}
                  </Link>{' '}
                  {product.archived && <span className="badge badge-archived">archived</span>}
                </td>
                <td className="mono">{product.code}</td>
                <td>{kindLabel(product.kind)}</td>
                <td>{product.category}</td>
                <td>{product.currentVersion === null ? <span className="muted">none published</span> : `v${product.currentVersion}`}</td>
                <td className="muted">{formatDateTime(product.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {page.page && page.page.data.length === 0 && (
          <div className="table-empty">
            {q || category || kind ? 'No products match these filters.' : 'No products yet. Create the first one with “New product”.'}
          </div>
        )}
        {!page.page && page.loading && <div className="table-empty">Loading products…</div>}
      </div>
      <Pagination pages={page} label="Products pages" />
    </>
  );
}
