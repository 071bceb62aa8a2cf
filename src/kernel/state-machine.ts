// State machines as data: one declaration per machine (its states and its edges, each edge named by
// the action that takes it), read by the service that checks a transition before it writes, by the
// documentation (rendered from it) and by the test that holds the database trigger guarding the same
// machine to it. A machine's edges therefore live in one place; the trigger is a second line of
// defence that is tested against the declaration, never a second source of truth.
import { InvalidTransitionError } from './errors.js';

export interface TransitionDeclaration<S extends string, A extends string> {
  from: S | readonly S[];
  to: S;
  /** What takes the edge (a use case: `suspend`, `approve`). Several edges may share one action. */
  action: A;
  /** The action as a participle, for refusals ("A pending tenant cannot be *suspended*"); defaults to the action. */
  done?: string;
  /** The event published when the edge is taken, for the docs. */
  event?: string;
}

export interface StateMachineDeclaration<S extends string, A extends string> {
  /** What the machine is the status of, as a noun ("tenant", "order"): refusals and the docs use it. */
  name: string;
  states: readonly S[];
  /** Where a new thing may start; the first state when not given. */
  initial?: readonly S[];
  transitions: readonly TransitionDeclaration<S, A>[];
}

export interface Transition<S extends string, A extends string> {
  from: S;
  to: S;
  action: A;
  done: string;
  event: string | null;
}

export interface StateMachine<S extends string, A extends string> {
  readonly name: string;
  readonly states: readonly S[];
  readonly initial: readonly S[];
  /** Every edge, one row per (from, to, action), in declaration order. */
  readonly transitions: readonly Transition<S, A>[];
  /** Final states: no edge leaves them. */
  readonly final: readonly S[];
  can(from: S, to: S): boolean;
  nextStates(from: S): S[];
  /** Throws InvalidTransitionError (409 PLAT_INVALID_TRANSITION, naming the current status) unless from → to is an edge. */
  assertTransition(from: S, to: S): void;
  /** Where `action` leads from `from`; InvalidTransitionError when the action does not apply there. */
  apply(from: S, action: A): S;
  /** The event the action publishes (declared on its edges). */
  eventOf(action: A): string;
  /** Every distinct (from, to) edge, for comparing with what a database trigger allows. */
  edges(): [S, S][];
}

export function defineStateMachine<const S extends string, const A extends string>(declaration: StateMachineDeclaration<S, A>): StateMachine<S, A> {
  const { name, states } = declaration;
  const known = new Set<string>(states);
  const transitions: Transition<S, A>[] = declaration.transitions.flatMap((row) =>
    (typeof row.from === 'string' ? [row.from as S] : (row.from as readonly S[])).map((from) => ({ from, to: row.to, action: row.action, done: row.done ?? row.action, event: row.event ?? null })),
  );
  for (const transition of transitions) {
    for (const state of [transition.from, transition.to]) if (!known.has(state)) throw new Error(`state machine ${name}: ${transition.action} names an unknown state ${state}`);
    if (transition.from === transition.to) throw new Error(`state machine ${name}: ${transition.action} goes from ${transition.from} to itself`);
  }
  const initial = declaration.initial ?? states.slice(0, 1);
  for (const state of initial) if (!known.has(state)) throw new Error(`state machine ${name}: unknown initial state ${state}`);
  const next = new Map<S, S[]>(states.map((state) => [state, []]));
  for (const { from, to } of transitions) if (!next.get(from)!.includes(to)) next.get(from)!.push(to);
  const can = (from: S, to: S) => next.get(from)?.includes(to) ?? false;

  return {
    name,
    states,
    initial,
    transitions,
    final: states.filter((state) => next.get(state)!.length === 0),
    can,
    nextStates: (from) => [...(next.get(from) ?? [])],
    assertTransition(from, to) {
      if (!can(from, to)) throw new InvalidTransitionError(name, from, `moved to ${to}`);
    },
    apply(from, action) {
      const rows = transitions.filter((t) => t.action === action);
      if (rows.length === 0) throw new Error(`state machine ${name} has no action ${action}`);
      const edge = rows.find((t) => t.from === from);
      if (!edge) throw new InvalidTransitionError(name, from, rows[0]!.done);
      return edge.to;
    },
    eventOf(action) {
      const event = transitions.find((t) => t.action === action)?.event;
      if (!event) throw new Error(`state machine ${name}: action ${action} declares no event`);
      return event;
    },
    edges: () => states.flatMap((from) => next.get(from)!.map((to): [S, S] => [from, to])),
  };
}

type AnyMachine = StateMachine<string, string>;

/** A Mermaid state diagram of the machine (GitHub and most Markdown viewers draw it). */
export function renderMermaid(machine: AnyMachine): string {
  const lines = ['stateDiagram-v2'];
  for (const state of machine.initial) lines.push(`  [*] --> ${state}`);
  for (const t of machine.transitions) lines.push(`  ${t.from} --> ${t.to}: ${t.action}`);
  for (const state of machine.final) lines.push(`  ${state} --> [*]`);
  return lines.join('\n');
}

/** The machine as a Markdown table (one row per edge) followed by its Mermaid diagram. */
export function renderMarkdown(machine: AnyMachine): string {
  const rows = machine.transitions.map((t) => `| ${t.from} | ${t.to} | ${t.action} | ${t.event ? `\`${t.event}\`` : ''} |`);
  return [
    `**${machine.name}** — starts as ${machine.initial.map((s) => `\`${s}\``).join(' or ')}; final: ${machine.final.map((s) => `\`${s}\``).join(', ') || 'none'}.`,
    '',
    '| from | to | action | event |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    '```mermaid',
    renderMermaid(machine),
    '```',
  ].join('\n');
}
