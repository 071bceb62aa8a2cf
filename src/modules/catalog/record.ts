// Every change to the catalog is audited on the platform chain and published, in the change's transaction.
import type { Kernel } from '../../kernel/kernel.js';
import type { Tx } from '../../kernel/db/database.js';
import { actorOf, type RequestContext } from '../../kernel/context.js';
import { publish } from '../../kernel/outbox.js';

export async function recordCatalogChange(kernel: Kernel, tx: Tx, context: RequestContext, eventType: string, target: { type: string; id: string }, before: unknown, after: unknown): Promise<void> {
  await kernel.audit.record(tx, { actor: actorOf(context), action: eventType, target, before, after, requestId: context.requestId, sourceIp: context.sourceIp });
  await publish(tx, kernel.clock, { type: eventType, payload: { target }, actorId: context.principal?.userId, requestId: context.requestId });
}
