// The state-machine declaration as a unit: edges, refusals and the rendering.
import { describe, expect, it } from 'vitest';
import { InvalidTransitionError } from './errors.js';
import { defineStateMachine, renderMermaid } from './state-machine.js';

const door = defineStateMachine({
  name: 'door',
  states: ['open', 'closed', 'locked', 'removed'],
  transitions: [
    { from: 'open', to: 'closed', action: 'close', done: 'closed', event: 'door.closed' },
    { from: 'closed', to: 'open', action: 'open', done: 'opened' },
    { from: 'closed', to: 'locked', action: 'lock', done: 'locked' },
    { from: 'locked', to: 'closed', action: 'unlock', done: 'unlocked' },
    { from: ['open', 'closed'], to: 'removed', action: 'remove', done: 'removed' },
  ],
});

describe('a declared state machine', () => {
  it('answers can and nextStates from its rows', () => {
    expect(door.can('open', 'closed')).toBe(true);
    expect(door.can('open', 'locked')).toBe(false);
    expect(door.nextStates('closed')).toEqual(['open', 'locked', 'removed']);
    expect(door.nextStates('removed')).toEqual([]);
    expect(door.final).toEqual(['removed']);
    expect(door.initial).toEqual(['open']);
    expect(door.edges()).toContainEqual(['locked', 'closed']);
  });

  it('refuses an edge it does not declare with InvalidTransitionError naming the current status', () => {
    expect(() => door.assertTransition('closed', 'locked')).not.toThrow();
    const refusal = (() => {
      try {
        door.assertTransition('locked', 'open');
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(InvalidTransitionError);
    expect((refusal as InvalidTransitionError).details).toEqual({ currentStatus: 'locked' });
    expect((refusal as Error).message).toBe('A locked door cannot be moved to open.');
  });

  it('applies an action where it is declared and refuses it elsewhere, in the action’s words', () => {
    expect(door.apply('closed', 'remove')).toBe('removed');
    expect(() => door.apply('locked', 'remove')).toThrow('A locked door cannot be removed.');
    expect(door.eventOf('close')).toBe('door.closed');
  });

  it('rejects a declaration that names an unknown state', () => {
    expect(() => defineStateMachine({ name: 'bad', states: ['a', 'b'], transitions: [{ from: 'a', to: 'c' as 'b', action: 'go' }] })).toThrow('unknown state c');
  });

  it('renders a mermaid diagram with every edge', () => {
    expect(renderMermaid(door)).toBe(
      ['stateDiagram-v2', '  [*] --> open', '  open --> closed: close', '  closed --> open: open', '  closed --> locked: lock', '  locked --> closed: unlock', '  open --> removed: remove', '  closed --> removed: remove', '  removed --> [*]'].join('\n'),
    );
  });
});
