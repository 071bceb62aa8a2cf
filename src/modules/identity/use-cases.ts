// What identity adds to the kernel's use-case pipeline (kernel/use-case.ts).
import { authorize } from '../../kernel/authz/authorize.js';
import type { RequestContext } from '../../kernel/context.js';
import type { UseCase } from '../../kernel/use-case.js';

/**
 * Decides a use case's own declaration (its action on its resource) before work that must happen
 * outside its transaction: another module's answer, the throttle, a slow password hash. Such work
 * holds no pooled connection while it waits, and a caller not allowed the action learns nothing
 * from it and spends nobody's attempts. The pipeline decides the same declaration again when the
 * use case runs. `input` needs only what the resource is named from (a tenant id), and may be left
 * out when the resource does not depend on it (the caller's own account).
 */
export function authorizeBeforehand<I>(useCase: UseCase<I, unknown>, context: RequestContext, input?: Partial<I>): void {
  if (useCase.action === undefined || !useCase.resource) throw new Error(`use case ${useCase.name} declares no action on a resource to decide beforehand`);
  authorize(context, useCase.action, useCase.resource(input as I, context));
}
