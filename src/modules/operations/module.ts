// The operations module, as the platform knows it (kernel/module.ts): its operator-only actions and
// console commands, read without loading its code. It has no tables of its own: dead letters are the
// kernel outbox's, workflow runs the kernel workflow engine's.
import { defineModule, type PortsOf } from '../../kernel/module.js';
import { operationsCommands } from './commands.js';
import type { OperationsApi } from './index.js';

declare module '../../kernel/module.js' {
  interface ModuleApis {
    operations: OperationsApi;
  }
}

/** The kernel services operations' code uses: the outbox's dead letters are `events`', workflow runs `workflows`'. */
const PORTS = ['events', 'workflows', 'useCases'] as const;
export type OperationsPorts = PortsOf<typeof PORTS>;

export const operationsModule = defineModule({
  name: 'operations',
  description: 'Running the platform itself: dead event deliveries, listed and replayed by staff; workflow runs, inspected',
  ports: PORTS,
  // Replaying another module's deliveries is the operator's decision.
  authorization: { platformOnly: ['operations:*'] },
  commands: operationsCommands,
  load: async () => (await import('./index.js')).createOperationsModule,
});
