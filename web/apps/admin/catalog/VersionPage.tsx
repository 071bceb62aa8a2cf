// One version of a product. A draft opens in the editor: summary, configuration schema (JSON, with
// the form customers will get previewed beside it), availability, provisioning binding, quota
// consumption, the approval flag and the price plans, plus the server's quote for the saved draft.
// Saving sends the whole content; publishing (confirmed) saves first, and the server's 422 problems
// are shown in the section each pointer names. Published and retired versions are read-only
// (ReadOnlyVersion.tsx).
import { useMemo, useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { toApiError, type ApiError, type FieldProblem } from '../../../shared/api/problem.js';
import type { PricePlan, ProductVersion, VersionContent, VersionContentPatch } from '../../../shared/api/types.js';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { Field } from '../../../shared/components/Field.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { describeSchema } from '../../../shared/forms/schema-form-model.js';
import { formatDateTime } from '../../../shared/format.js';
import { PricePreviewPanel } from './PricePreviewPanel.js';
import { PricingEditor } from './PricingEditor.js';
import { FormPreview } from './FormPreview.js';
import { ReadOnlyVersion } from './ReadOnlyVersion.js';
import { VersionBadge } from './ProductPage.js';
import { useProductVersion, useVersionActions } from '../../../shared/features/catalog/use-catalog.js';

interface EditorState {
  summary: string;
  schemaText: string;
  regions: string;
  providers: string;
  tenantTiers: string;
  minQuantity: string;
  maxQuantity: string;
  prerequisites: string;
  provisioningText: string;
  quotaText: string;
  requiresApproval: boolean;
  pricePlans: PricePlan[];
}

const list = (items: string[]) => items.join(', ');
const unlist = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
const json = (value: unknown) => JSON.stringify(value, null, 2);

function stateOf(content: VersionContent): EditorState {
  return {
    summary: content.summary,
    schemaText: json(content.configurationSchema),
    regions: list(content.availability.regions),
    providers: list(content.availability.providers),
    tenantTiers: list(content.availability.tenantTiers),
    minQuantity: String(content.availability.minQuantity),
    maxQuantity: content.availability.maxQuantity === null ? '' : String(content.availability.maxQuantity),
    prerequisites: list(content.availability.prerequisites),
    provisioningText: json(content.provisioning),
    quotaText: json(content.quotaConsumption),
    requiresApproval: content.requiresApproval,
    pricePlans: content.pricePlans,
  };
}

/** The PATCH body for the editor's state, or problems (by pointer) with what cannot even be sent. */
function toPatch(state: EditorState): { patch?: VersionContentPatch; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const parse = (text: string, pointer: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      problems.push({ pointer, message: 'is not valid JSON' });
      return undefined;
    }
  };
  const integer = (text: string, pointer: string): number | null => {
    if (text.trim() === '') return null;
    if (/^\d{1,9}$/.test(text.trim())) return Number(text.trim());
    problems.push({ pointer, message: 'must be a whole number' });
    return null;
  };
  const configurationSchema = parse(state.schemaText, '/configurationSchema');
  const provisioning = parse(state.provisioningText, '/provisioning');
  const quotaConsumption = parse(state.quotaText, '/quotaConsumption');
  const minQuantity = integer(state.minQuantity, '/availability/minQuantity');
  if (minQuantity === null && !problems.some((problem) => problem.pointer === '/availability/minQuantity')) problems.push({ pointer: '/availability/minQuantity', message: 'is required' });
  const maxQuantity = integer(state.maxQuantity, '/availability/maxQuantity');
  if (problems.length > 0) return { problems };
  return {
    problems,
    patch: {
      summary: state.summary,
      configurationSchema: configurationSchema as Record<string, unknown>,
      availability: { regions: unlist(state.regions), providers: unlist(state.providers), tenantTiers: unlist(state.tenantTiers), minQuantity: minQuantity ?? 1, maxQuantity, prerequisites: unlist(state.prerequisites) },
      provisioning: provisioning as VersionContentPatch['provisioning'],
      quotaConsumption: quotaConsumption as Record<string, number>,
      requiresApproval: state.requiresApproval,
      pricePlans: state.pricePlans,
    },
  };
}

function problemsUnder(problems: FieldProblem[], prefix: string): FieldProblem[] {
  return problems.filter((problem) => problem.pointer === prefix || problem.pointer.startsWith(`${prefix}/`));
}

function ProblemList({ problems }: { problems: FieldProblem[] }) {
  if (problems.length === 0) return null;
  return (
    <ul className="field-error" role="alert">
      {problems.map((problem, index) => (
        <li key={index}>
          <span className="mono">{problem.pointer}</span>: {problem.message}
        </li>
      ))}
    </ul>
  );
}

export function VersionPage() {
  const { id = '', version: versionParam = '' } = useParams();
  const versionNumber = Number(versionParam);
  const loaded = useProductVersion(id, versionNumber);

  const breadcrumb = (
    <>
      <Link to="/catalog/products">Catalog</Link> / <Link to={`/catalog/products/${id}`}>{loaded.data?.product.name ?? 'Product'}</Link>
    </>
  );
  if (!loaded.data) {
    return (
      <>
        <PageHeader breadcrumb={breadcrumb} title={loaded.error ? 'Version not available' : 'Loading version…'} />
        <ErrorAlert error={loaded.error} />
      </>
    );
  }
  const { product, version } = loaded.data;
  const replace = (next: ProductVersion) => loaded.set({ product, version: next });
  return (
    <div data-version={version.version} data-status={version.status}>
      <PageHeader
        breadcrumb={breadcrumb}
        title={
          <>
            {product.name} v{version.version} <VersionBadge status={version.status} />
          </>
        }
        subtitle={`Created ${formatDateTime(version.createdAt)}${version.publishedAt ? ` · published ${formatDateTime(version.publishedAt)}` : ''}${version.retiredAt ? ` · retired ${formatDateTime(version.retiredAt)}` : ''}`}
      />
      {version.status === 'draft' ? <DraftEditor key={version.version} productId={product.id} version={version} onChanged={replace} /> : <ReadOnlyVersion productId={product.id} version={version} onChanged={replace} />}
    </div>
  );
}

function DraftEditor({ productId, version, onChanged }: { productId: string; version: ProductVersion; onChanged(version: ProductVersion): void }) {
  const navigate = useNavigate();
  const [state, setState] = useState<EditorState>(() => stateOf(version.content));
  const [saved, setSaved] = useState<EditorState>(() => stateOf(version.content));
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [publishing, setPublishing] = useState(false);
  const [discarding, setDiscarding] = useState(false);
  const [revision, setRevision] = useState(0);
  const actions = useVersionActions(productId, version.version);
  const dirty = JSON.stringify(state) !== JSON.stringify(saved);

  const parsedSchema = useMemo(() => {
    try {
      return { schema: JSON.parse(state.schemaText) as unknown };
    } catch {
      return { invalid: true as const };
    }
  }, [state.schemaText]);
  const formModel = useMemo(() => ('schema' in parsedSchema ? describeSchema(parsedSchema.schema) : null), [parsedSchema]);

  const update = <K extends keyof EditorState>(key: K, value: EditorState[K]) => {
    setState((current) => ({ ...current, [key]: value }));
    setNotice(null);
  };

  /** Saves the editor's content; true when the server took it. */
  async function save(): Promise<boolean> {
    const { patch, problems: local } = toPatch(state);
    setError(null);
    setNotice(null);
    if (!patch) {
      setProblems(local);
      return false;
    }
    setBusy(true);
    try {
      const data = await actions.save(patch);
      setProblems([]);
      const next = stateOf(data.content);
      setState(next);
      setSaved(next);
      setRevision((value) => value + 1);
      onChanged(data);
      return true;
    } catch (caught) {
      const apiError = toApiError(caught);
      setError(apiError);
      setProblems(apiError.problem.errors ?? []);
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function publish() {
    if (dirty && !(await save())) {
      setPublishing(false);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const data = await actions.publish();
      setPublishing(false);
      onChanged(data);
    } catch (caught) {
      const apiError = toApiError(caught);
      setError(apiError);
      setProblems(apiError.problem.errors ?? []);
      setPublishing(false);
    } finally {
      setBusy(false);
    }
  }

  async function discard() {
    setBusy(true);
    try {
      await actions.discard();
      void navigate(`/catalog/products/${productId}`);
    } catch (caught) {
      setError(toApiError(caught));
      setDiscarding(false);
      setBusy(false);
    }
  }

  // Each section is a region named by its heading, and its problems are listed inside it.
  const section = (title: string, prefix: string, body: ReactNode, id: string) => (
    <section className="card" aria-labelledby={`${id}-title`}>
      <div className="card-header">
        <h2 id={`${id}-title`}>{title}</h2>
      </div>
      <div className="card-body stack">
        {body}
        <ProblemList problems={problemsUnder(problems, prefix)} />
      </div>
    </section>
  );
  const textInput = (key: 'regions' | 'providers' | 'tenantTiers' | 'prerequisites' | 'minQuantity' | 'maxQuantity', label: string, hint?: string) => (
    <Field id={`draft-${key}`} label={label} hint={hint}>
      <input id={`draft-${key}`} className="input" value={state[key]} onChange={(event) => update(key, event.target.value)} />
    </Field>
  );
  const matched = new Set(['/summary', '/configurationSchema', '/availability', '/provisioning', '/quotaConsumption', '/requiresApproval', '/pricePlans']);
  const elsewhere = problems.filter((problem) => ![...matched].some((prefix) => problem.pointer === prefix || problem.pointer.startsWith(`${prefix}/`)));

  return (
    <div className="stack">
      <div className="card card-body inline-fields">
        <button type="button" className="button button-primary" onClick={() => void save()} disabled={busy || !dirty}>
          {busy ? 'Working…' : dirty ? 'Save draft' : 'Saved'}
        </button>
        <button
          type="button"
          className="button"
          onClick={() => {
            setError(null);
            setPublishing(true);
          }}
          disabled={busy}
        >
          Publish…
        </button>
        <button type="button" className="button button-danger-outline" onClick={() => setDiscarding(true)} disabled={busy}>
          Discard draft
        </button>
        {dirty && <span className="muted">Unsaved changes. The quote and publishing use what is saved.</span>}
      </div>
      {notice && (
        <div className="alert alert-success" role="status">
          {notice}
        </div>
      )}
      <ErrorAlert error={error} />
      <ProblemList problems={elsewhere} />
      {section(
        'Summary',
        '/summary',
        <Field id="draft-summary" label="What changed in this version" hint="For operators; up to 500 characters.">
          <input id="draft-summary" className="input" maxLength={500} value={state.summary} onChange={(event) => update('summary', event.target.value)} />
        </Field>,
        'section-summary',
      )}
      <div className="grid-2">
        {section(
          'Configuration schema',
          '/configurationSchema',
          <>
            <Field id="draft-schema" label="JSON Schema (2020-12), an object at the root" error={'invalid' in parsedSchema ? 'This is not valid JSON yet.' : undefined}>
              <textarea id="draft-schema" className="textarea mono" rows={16} value={state.schemaText} onChange={(event) => update('schemaText', event.target.value)} spellCheck={false} />
            </Field>
          </>,
          'section-schema',
        )}
        <section className="card" aria-labelledby="section-form-preview-title">
          <div className="card-header">
            <h2 id="section-form-preview-title">The form customers get</h2>
          </div>
          <div className="card-body">{formModel ? <FormPreview key={state.schemaText} model={formModel} /> : <p className="muted">Fix the schema’s JSON to see the form.</p>}</div>
        </section>
      </div>
      {section(
        'Availability',
        '/availability',
        <div className="form-grid">
          {textInput('regions', 'Regions', 'Comma-separated; empty means anywhere.')}
          {textInput('providers', 'Providers', 'Comma-separated; empty means any.')}
          {textInput('tenantTiers', 'Tenant tiers', 'Comma-separated; empty means all.')}
          {textInput('minQuantity', 'Minimum quantity')}
          {textInput('maxQuantity', 'Maximum quantity', 'Empty for no limit.')}
          {textInput('prerequisites', 'Prerequisite products', 'Product ids, comma-separated: the tenant must already have each.')}
        </div>,
        'section-availability',
      )}
      <div className="grid-2">
        {section(
          'Provisioning binding',
          '/provisioning',
          <Field id="draft-provisioning" label="Capability and parameters (JSON), or null" hint='e.g. {"capability": "compute.server", "parameters": {"region": {"configuration": "/region"}, "count": {"quantity": true}}}'>
            <textarea id="draft-provisioning" className="textarea mono" rows={8} value={state.provisioningText} onChange={(event) => update('provisioningText', event.target.value)} spellCheck={false} />
          </Field>,
          'section-provisioning',
        )}
        {section(
          'Quota consumption and approval',
          '/quotaConsumption',
          <>
            <Field id="draft-quota" label="Per unit ordered (JSON)" hint='e.g. {"maxStorage": 100, "custom.vms": 1}'>
              <textarea id="draft-quota" className="textarea mono" rows={4} value={state.quotaText} onChange={(event) => update('quotaText', event.target.value)} spellCheck={false} />
            </Field>
            <label className="checkbox">
              <input type="checkbox" checked={state.requiresApproval} onChange={(event) => update('requiresApproval', event.target.checked)} /> Orders wait for an operator’s approval
            </label>
          </>,
          'section-quota',
        )}
      </div>
      {section('Price plans', '/pricePlans', <PricingEditor plans={state.pricePlans} onChange={(plans) => update('pricePlans', plans)} problems={problems} />, 'section-pricing')}
      <section className="card" aria-labelledby="section-quote-title">
        <div className="card-header">
          <h2 id="section-quote-title">Quote for the saved draft</h2>
        </div>
        <div className="card-body">
          <PricePreviewPanel productId={productId} version={version.version} plans={version.content.pricePlans} revision={String(revision)} />
        </div>
      </section>
      <ConfirmDialog open={publishing} title={`Publish v${version.version}?`} confirmLabel="Publish" busy={busy} error={null} onConfirm={() => void publish()} onCancel={() => setPublishing(false)}>
        <p className="muted">
          {dirty ? 'Your changes are saved first. ' : ''}A published version can never change again; customers can order it right away and it becomes the product’s current version.
        </p>
      </ConfirmDialog>
      <ConfirmDialog open={discarding} title={`Discard draft v${version.version}?`} confirmLabel="Discard" tone="danger" busy={busy} error={error} onConfirm={() => void discard()} onCancel={() => setDiscarding(false)}>
        <p className="muted">The draft and its changes are deleted. Published versions are not affected.</p>
      </ConfirmDialog>
    </div>
  );
}
