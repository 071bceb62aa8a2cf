// What changed between two versions of a product: the API's JSON-pointer operations, with each
// path in words ("Price plans › 1 › prices › EUR › unit amount") and the values before and after.
import { Link, useParams, useSearchParams } from 'react-router';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { useVersionDiff } from '../../../shared/features/catalog/use-catalog.js';

const SEGMENT_NAMES: Record<string, string> = {
  summary: 'Summary',
  configurationSchema: 'Configuration schema',
  availability: 'Availability',
  provisioning: 'Provisioning',
  requiresApproval: 'Requires approval',
  quotaConsumption: 'Quota consumption',
  pricePlans: 'Price plans',
  setupFee: 'setup fee',
  prices: 'prices',
  unitAmount: 'unit amount',
  flatAmount: 'flat amount',
  packageAmount: 'package amount',
  packageSize: 'package size',
  trialDays: 'trial days',
  taxCategory: 'tax category',
  upTo: 'up to',
  minQuantity: 'minimum quantity',
  maxQuantity: 'maximum quantity',
  tenantTiers: 'tenant tiers',
};

/** "/pricePlans/0/prices/EUR/unitAmount" → "Price plans › 1 › prices › EUR › unit amount". */
export function readablePath(pointer: string): string {
  if (pointer === '' || pointer === '/') return 'Everything';
  return pointer
    .split('/')
    .slice(1)
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? String(Number(segment) + 1) : (SEGMENT_NAMES[segment] ?? segment)))
    .join(' › ');
}

function Value({ value, tone }: { value: unknown; tone: 'before' | 'after' }) {
  if (value === undefined) return <span className="muted">—</span>;
  return <pre className={`code-block diff-${tone}`}>{typeof value === 'string' ? value : JSON.stringify(value, null, 2)}</pre>;
}

const OPS = { add: 'Added', remove: 'Removed', replace: 'Changed' } as const;

export function VersionDiffPage() {
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const from = Number(params.get('from'));
  const to = Number(params.get('to'));
  const diff = useVersionDiff(id, from, to);

  return (
    <>
      <PageHeader
        breadcrumb={
          <>
            <Link to="/catalog/products">Catalog</Link> / <Link to={`/catalog/products/${id}`}>{diff.data?.product.name ?? 'Product'}</Link>
          </>
        }
        title={`Changes from v${from} to v${to}`}
      />
      <ErrorAlert error={diff.error} />
      {diff.loading && !diff.data && <div className="table-empty">Comparing…</div>}
      {diff.data && (
        <section className="card">
          {diff.data.diff.changes.length === 0 ? (
            <div className="table-empty">
              The two versions sell exactly the same.
            </div>
          ) : (
            <div className="table-wrap">
              <table className="table" aria-label="Changes">
                <thead>
                  <tr>
                    <th scope="col">What</th>
                    <th scope="col">Change</th>
                    <th scope="col">Before (v{from})</th>
                    <th scope="col">After (v{to})</th>
                  </tr>
                </thead>
                <tbody>
                  {diff.data.diff.changes.map((change, index) => (
                    <tr key={index} data-op={change.op} data-path={change.path}>
                      <th scope="row">
                        <div>{readablePath(change.path)}</div>
                        <div className="mono muted">
                          <code>{change.path}</code>
                        </div>
                      </th>
                      <td>{OPS[change.op]}</td>
                      <td>
                        <Value value={change.before} tone="before" />
                      </td>
                      <td>
                        <Value value={change.after} tone="after" />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </>
  );
}
