// One product for operators: what it is, its versions (draft, published, retired) with a link to
// each, starting a new draft from the newest version, comparing two versions, and archiving or
// restoring the product (confirmed first).
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import type { ProductVersion } from '../../../shared/api/types.js';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { formatDateTime } from '../../../shared/format.js';
import { kindLabel } from './ProductsPage.js';
import { ProductDetailsForm } from './ProductDetailsForm.js';
import { useProduct } from '../../../shared/features/catalog/use-catalog.js';

export function VersionBadge({ status }: { status: ProductVersion['status'] }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {status}
    </span>
  );
}

export function ProductPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const loaded = useProduct(id);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [archiving, setArchiving] = useState(false);
  const [editing, setEditing] = useState(false);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');

  const breadcrumb = <Link to="/catalog/products">Catalog</Link>;
  if (!loaded.data) {
    return (
      <>
        <PageHeader breadcrumb={breadcrumb} title={loaded.error ? 'Product not available' : 'Loading product…'} />
        <ErrorAlert error={loaded.error} />
      </>
    );
  }
  const { product, versions } = loaded.data;
  const draft = versions.find((version) => version.status === 'draft');

  async function newDraft() {
    setBusy(true);
    setError(null);
    try {
      const data = await loaded.newDraft();
      void navigate(`/catalog/products/${product.id}/versions/${data.version}`);
    } catch (caught) {
      setError(toApiError(caught));
      setBusy(false);
    }
  }

  async function toggleArchived() {
    setBusy(true);
    setError(null);
    try {
      const data = product.archived ? await loaded.restore() : await loaded.archive();
      loaded.set({ product: data, versions });
      setArchiving(false);
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  const sorted = [...versions].sort((a, b) => a.version - b.version);
  const diffFrom = from || String(sorted.at(-2)?.version ?? '');
  const diffTo = to || String(sorted.at(-1)?.version ?? '');

  return (
    <div data-product-id={product.id}>
      <PageHeader
        breadcrumb={breadcrumb}
        title={
          <>
            {product.name} {product.archived && <span className="badge badge-archived">archived</span>}
          </>
        }
        subtitle={
          <>
            <span className="mono">{product.code}</span> · {kindLabel(product.kind)} · {product.category}
          </>
        }
        actions={
          <>
            {draft ? (
              <Link to={`/catalog/products/${product.id}/versions/${draft.version}`} className="button button-primary">
                Edit draft v{draft.version}
              </Link>
            ) : (
              <button type="button" className="button button-primary" onClick={() => void newDraft()} disabled={busy}>
                New draft version
              </button>
            )}
            <button type="button" className={product.archived ? 'button' : 'button button-danger-outline'} onClick={() => setArchiving(true)}>
              {product.archived ? 'Restore' : 'Archive'}
            </button>
          </>
        }
      />
      <div className="stack">
        <ErrorAlert error={error} />
        <section className="card" aria-labelledby="product-details-title">
          <div className="card-header">
            <h2 id="product-details-title">Details</h2>
            {!editing && (
              <button type="button" className="button" onClick={() => setEditing(true)} aria-label="Edit details">
                Edit
              </button>
            )}
          </div>
          {editing ? (
            <ProductDetailsForm
              product={product}
              onCancel={() => setEditing(false)}
              onSaved={(saved) => {
                loaded.set({ product: saved, versions });
                setEditing(false);
              }}
            />
          ) : (
            <div className="card-body">
              <dl className="details">
                <dt>Category</dt>
                <dd>{product.category}</dd>
                <dt>Description</dt>
                <dd>{product.description || <span className="muted">—</span>}</dd>
                <dt>Visibility</dt>
                <dd>
                  {product.visibility.mode === 'public' ? 'Every tenant' : product.visibility.mode === 'tiers' ? `Tiers: ${product.visibility.tiers.join(', ')}` : `Only ${product.visibility.tenantIds.length} listed tenant(s)`}
                </dd>
                <dt>Stock</dt>
                <dd>{product.capacity === null ? 'Unlimited' : `${product.capacityUsed} of ${product.capacity} sold`}</dd>
                <dt>Current version</dt>
                <dd>{product.currentVersion === null ? 'None published' : `v${product.currentVersion}`}</dd>
              </dl>
            </div>
          )}
        </section>
        <section className="card" aria-labelledby="product-versions-title">
          <div className="card-header">
            <h2 id="product-versions-title">Versions</h2>
            {versions.length > 1 && (
              <form
                className="inline-fields"
                onSubmit={(event) => {
                  event.preventDefault();
                  void navigate(`/catalog/products/${product.id}/diff?from=${diffFrom}&to=${diffTo}`);
                }}
              >
                <label htmlFor="diff-from">Compare</label>
                <select id="diff-from" className="select" value={diffFrom} onChange={(event) => setFrom(event.target.value)}>
                  {sorted.map((version) => (
                    <option key={version.version} value={version.version}>
                      v{version.version}
                    </option>
                  ))}
                </select>
                <label htmlFor="diff-to">with</label>
                <select id="diff-to" className="select" value={diffTo} onChange={(event) => setTo(event.target.value)}>
                  {sorted.map((version) => (
                    <option key={version.version} value={version.version}>
                      v{version.version}
                    </option>
                  ))}
                </select>
                <button type="submit" className="button">
                  Show changes
                </button>
              </form>
            )}
          </div>
          <div className="table-wrap">
            <table className="table" aria-label="Versions">
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Status</th>
                  <th scope="col">Summary</th>
                  <th scope="col">Created</th>
                  <th scope="col">Published</th>
                  <th scope="col">Retired</th>
                </tr>
              </thead>
              <tbody>
                {versions.map((version) => (
                  <tr key={version.version} data-version={version.version}>
                    <td>
                      <Link to={`/catalog/products/${product.id}/versions/${version.version}`}>
                        v{version.version}
                      </Link>
                    </td>
                    <td>
                      <VersionBadge status={version.status} />
                    </td>
                    <td>{version.content.summary || <span className="muted">—</span>}</td>
                    <td className="muted">{formatDateTime(version.createdAt)}</td>
                    <td className="muted">{formatDateTime(version.publishedAt)}</td>
                    <td className="muted">{formatDateTime(version.retiredAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </div>
      <ConfirmDialog
        open={archiving}
        title={product.archived ? 'Restore this product?' : 'Archive this product?'}
        confirmLabel={product.archived ? 'Restore' : 'Archive'}
        tone={product.archived ? 'primary' : 'danger'}
        busy={busy}
        error={error}
        onConfirm={() => void toggleArchived()}
        onCancel={() => setArchiving(false)}
      >
        <p className="muted">{product.archived ? 'Customers can see and order it again.' : 'Customers no longer see or order it. Existing orders keep their version.'}</p>
      </ConfirmDialog>
    </div>
  );
}
