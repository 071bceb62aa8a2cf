// Edits a role's policy: statements that allow or deny actions on resources, optionally only with
// MFA or from certain networks. Actions and resources are suggested from the API's own catalogue
// (GET /api/v1/authz/actions); the server validates, and its errors appear at the statement and
// the entry they concern (pointers like /statements/1/resources/0).
import { useEffect, useState } from 'react';
import type { Statement } from '../../../shared/tenant-access/tenant-roles.js';
import { readActionCatalogue } from '../../../shared/features/identity/use-tenant-access.js';

export interface DraftStatement {
  sid: string;
  effect: 'allow' | 'deny';
  actions: string[];
  resources: string[];
  /** '' any, 'true' only with MFA, 'false' only without. */
  mfa: '' | 'true' | 'false';
  /** CIDR ranges, one per line. */
  sourceIp: string;
}

export const TENANT_WIDE = 'prn:${tenant}:*/*';

export function newStatement(): DraftStatement {
  return { sid: '', effect: 'allow', actions: [''], resources: [TENANT_WIDE], mfa: '', sourceIp: '' };
}

export function toDraft(statement: Statement): DraftStatement {
  return {
    sid: statement.sid ?? '',
    effect: statement.effect,
    actions: [...statement.actions],
    resources: [...statement.resources],
    mfa: statement.conditions?.mfa === undefined ? '' : statement.conditions.mfa ? 'true' : 'false',
    sourceIp: (statement.conditions?.sourceIp ?? []).join('\n'),
  };
}

/** The statement as the API takes it. Entries are sent as typed (trimmed), so error pointers line up with the fields. */
export function toStatement(draft: DraftStatement): Statement {
  const sourceIp = draft.sourceIp
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const conditions: NonNullable<Statement['conditions']> = {};
  if (draft.mfa !== '') conditions.mfa = draft.mfa === 'true';
  if (sourceIp.length > 0) conditions.sourceIp = sourceIp;
  return {
    ...(draft.sid.trim() ? { sid: draft.sid.trim() } : {}),
    effect: draft.effect,
    actions: draft.actions.map((action) => action.trim()),
    resources: draft.resources.map((resource) => resource.trim()),
    ...(Object.keys(conditions).length > 0 ? { conditions } : {}),
  };
}

interface Suggestions {
  actions: { value: string; label: string }[];
  resources: string[];
}

/** Actions from the catalogue, with the wildcards that cover a service or a resource type. */
function useSuggestions(enabled: boolean): Suggestions {
  const [suggestions, setSuggestions] = useState<Suggestions>({ actions: [], resources: [TENANT_WIDE] });
  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    readActionCatalogue()
      .then((data) => {
        if (cancelled) return;
        const actions = new Map<string, string>([['*', 'Every action']]);
        const types = new Set<string>();
        for (const entry of data.data) {
          const [service = '', rest = ''] = entry.action.split(':');
          const type = rest.split('.')[0] ?? '';
          actions.set(`${service}:*`, `Every ${service} action`);
          if (type !== 'self' && rest.includes('.')) {
            actions.set(`${service}:${type}.*`, `Every ${service} action on ${type}`);
            types.add(type);
          }
          actions.set(entry.action, entry.operations.map((op) => op.summary ?? `${op.method} ${op.path}`).join('; '));
        }
        setSuggestions({
          actions: [...actions].map(([value, label]) => ({ value, label })).sort((a, b) => a.value.localeCompare(b.value)),
          resources: [TENANT_WIDE, ...[...types].sort().map((type) => `prn:\${tenant}:${type}/*`)],
        });
      })
      // Without the catalogue the fields still take any action; nothing is suggested.
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [enabled]);
  return suggestions;
}

interface PolicyEditorProps {
  statements: DraftStatement[];
  onChange(statements: DraftStatement[]): void;
  /** The server's messages by JSON pointer (already in plain sentences). */
  errors: Partial<Record<string, string>>;
  /** Whether the action catalogue may be read (for suggestions). */
  suggest: boolean;
  disabled?: boolean;
}

export function PolicyEditor({ statements, onChange, errors, suggest, disabled }: PolicyEditorProps) {
  const suggestions = useSuggestions(suggest);

  function update(index: number, change: Partial<DraftStatement>) {
    onChange(statements.map((statement, i) => (i === index ? { ...statement, ...change } : statement)));
  }

  return (
    <div className="stack">
      <datalist id="action-suggestions">
        {suggestions.actions.map((option) => (
          <option key={option.value} value={option.value} label={option.label} />
        ))}
      </datalist>
      <datalist id="resource-suggestions">
        {suggestions.resources.map((resource) => (
          <option key={resource} value={resource} />
        ))}
      </datalist>
      {errors['/statements'] && (
        <span className="field-error" role="alert">
          {errors['/statements']}
        </span>
      )}
      {statements.map((statement, i) => {
        const at = `/statements/${i}`;
        const ownErrors = Object.entries(errors).filter((entry): entry is [string, string] => entry[1] !== undefined && (entry[0] === at || entry[0].startsWith(`${at}/`)));
        // Errors about the statement as a whole, or a member with no field of its own here.
        const shownElsewhere = (pointer: string) =>
          /^\/statements\/\d+\/(actions|resources)(\/\d+)?$/.test(pointer) || /^\/statements\/\d+\/(sid|effect|conditions\/mfa)$/.test(pointer) || pointer.includes('/conditions/sourceIp');
        const general = ownErrors.filter(([pointer]) => !shownElsewhere(pointer));
        const sourceIpErrors = ownErrors.filter(([pointer]) => pointer.startsWith(`${at}/conditions/sourceIp`));
        return (
          // Named by its heading ("Statement 2"), so its fields are announced as part of it.
          <fieldset key={i} className="statement" data-invalid={ownErrors.length > 0} aria-labelledby={`statement-${i}-title`} disabled={disabled}>
            <div className="statement-header">
              <h3 id={`statement-${i}-title`}>Statement {i + 1}</h3>
              <button
                type="button"
                className="button button-ghost"
                onClick={() => onChange(statements.filter((_, j) => j !== i))}
                disabled={statements.length === 1}
              >
                Remove statement
              </button>
            </div>
            {general.map(([pointer, message]) => (
              <span key={pointer} className="field-error" role="alert">
                {message}
              </span>
            ))}
            <div className="form-grid">
              <div className="field">
                <label className="field-label" htmlFor={`statement-${i}-effect`}>
                  Effect
                </label>
                <select
                  id={`statement-${i}-effect`}
                  className="select"
                  value={statement.effect}
                  onChange={(event) => update(i, { effect: event.target.value as DraftStatement['effect'] })}
                  aria-invalid={errors[`${at}/effect`] ? true : undefined}
                  aria-describedby={`statement-${i}-effect-error`}
                >
                  <option value="allow">Allow</option>
                  <option value="deny">Deny (wins over any allow)</option>
                </select>
                {errors[`${at}/effect`] && (
                  <span className="field-error" id={`statement-${i}-effect-error`} role="alert">
                    {errors[`${at}/effect`]}
                  </span>
                )}
              </div>
              <div className="field">
                <label className="field-label" htmlFor={`statement-${i}-sid`}>
                  Label <span className="field-optional">(optional)</span>
                </label>
                <input
                  id={`statement-${i}-sid`}
                  className="input"
                  maxLength={64}
                  value={statement.sid}
                  onChange={(event) => update(i, { sid: event.target.value })}
                  placeholder="e.g. read-invoices"
                  aria-invalid={errors[`${at}/sid`] ? true : undefined}
                  aria-describedby={`statement-${i}-sid-error`}
                />
                {errors[`${at}/sid`] && (
                  <span className="field-error" id={`statement-${i}-sid-error`} role="alert">
                    {errors[`${at}/sid`]}
                  </span>
                )}
              </div>
            </div>
            <ListInput
              label="Actions"
              hint="service:resource.verb, e.g. billing:invoice.read; * matches within one part (billing:*, identity:member.*)."
              values={statement.actions}
              onChange={(actions) => update(i, { actions })}
              errorAt={(j) => errors[`${at}/actions/${j}`]}
              listError={errors[`${at}/actions`]}
              suggestions="action-suggestions"
              idPrefix={`statement-${i}-action`}
              addLabel="Add action"
            />
            <ListInput
              label="Resources"
              hint="prn:<tenant>:<type>/<id>; ${tenant} is this organisation, * matches within one part (prn:${tenant}:invoice/*)."
              values={statement.resources}
              onChange={(resources) => update(i, { resources })}
              errorAt={(j) => errors[`${at}/resources/${j}`]}
              listError={errors[`${at}/resources`]}
              suggestions="resource-suggestions"
              idPrefix={`statement-${i}-resource`}
              addLabel="Add resource"
            />
            <div className="form-grid">
              <div className="field">
                <label className="field-label" htmlFor={`statement-${i}-mfa`}>
                  Multi-factor authentication
                </label>
                <select
                  id={`statement-${i}-mfa`}
                  className="select"
                  value={statement.mfa}
                  onChange={(event) => update(i, { mfa: event.target.value as DraftStatement['mfa'] })}
                >
                  <option value="">No condition</option>
                  <option value="true">Only when signed in with MFA</option>
                  <option value="false">Only when signed in without MFA</option>
                </select>
              </div>
              <div className="field">
                <label className="field-label" htmlFor={`statement-${i}-source-ip`}>
                  Source networks <span className="field-optional">(optional)</span>
                </label>
                <textarea
                  id={`statement-${i}-source-ip`}
                  className="textarea mono"
                  rows={2}
                  value={statement.sourceIp}
                  onChange={(event) => update(i, { sourceIp: event.target.value })}
                  placeholder="10.0.0.0/8"
                  aria-invalid={sourceIpErrors.length > 0 ? true : undefined}
                  aria-describedby={`statement-${i}-source-ip-description`}
                />
                {sourceIpErrors.length === 0 ? (
                  <span className="field-hint" id={`statement-${i}-source-ip-description`}>
                    CIDR ranges, one per line; any may match. Leave empty for anywhere.
                  </span>
                ) : (
                  sourceIpErrors.map(([pointer, message]) => (
                    <span key={pointer} className="field-error" role="alert" id={`statement-${i}-source-ip-description`}>
                      {sourceIpLabel(pointer)}
                      {message}
                    </span>
                  ))
                )}
              </div>
            </div>
          </fieldset>
        );
      })}
      <div>
        <button type="button" className="button" onClick={() => onChange([...statements, newStatement()])} disabled={disabled || statements.length >= 100}>
          Add statement
        </button>
      </div>
    </div>
  );
}

/** "Line 2: " for /statements/0/conditions/sourceIp/1 (the non-empty lines are sent in order). */
function sourceIpLabel(pointer: string): string {
  const index = /\/sourceIp\/(\d+)$/.exec(pointer)?.[1];
  return index === undefined ? '' : `Range ${Number(index) + 1}: `;
}

interface ListInputProps {
  label: string;
  hint: string;
  values: string[];
  onChange(values: string[]): void;
  errorAt(index: number): string | undefined;
  listError?: string;
  suggestions: string;
  /** Prefix of the entries' ids: `${idPrefix}-0`, and `${idPrefix}-0-error` for an entry's error. */
  idPrefix: string;
  addLabel: string;
}

function ListInput({ label, hint, values, onChange, errorAt, listError, suggestions, idPrefix, addLabel }: ListInputProps) {
  return (
    <div className="field" role="group" aria-labelledby={`${idPrefix}-label`} aria-describedby={`${idPrefix}-hint`}>
      <span className="field-label" id={`${idPrefix}-label`}>
        {label}
      </span>
      <div className="list-input">
        {values.map((value, j) => {
          const error = errorAt(j);
          return (
            <div key={j}>
              <div className="list-input-row">
                <input
                  className="input mono"
                  aria-label={`${label} ${j + 1}`}
                  list={suggestions}
                  value={value}
                  maxLength={256}
                  onChange={(event) => onChange(values.map((v, k) => (k === j ? event.target.value : v)))}
                  aria-invalid={error ? true : undefined}
                  // The entry's own error is read with it.
                  aria-describedby={`${idPrefix}-${j}-error`}
                />
                <button type="button" className="button button-ghost" aria-label={`Remove ${label.toLowerCase()} ${j + 1}`} onClick={() => onChange(values.filter((_, k) => k !== j))} disabled={values.length === 1}>
                  ×
                </button>
              </div>
              {error && (
                <span className="field-error" role="alert" id={`${idPrefix}-${j}-error`}>
                  {error}
                </span>
              )}
            </div>
          );
        })}
      </div>
      {listError && (
        <span className="field-error" role="alert">
          {listError}
        </span>
      )}
      <span className="field-hint" id={`${idPrefix}-hint`}>
        {hint}
      </span>
      <div>
        <button type="button" className="button button-ghost" onClick={() => onChange([...values, ''])} disabled={values.length >= 50}>
          {addLabel}
        </button>
      </div>
    </div>
  );
}
