// HTTP surface of orders: schema in, one service call, schema out. Each route declares the action
// of the use case it runs.
import { Type } from 'typebox';
import type { HttpApp } from '../../kernel/api/routes.js';
import { EmptyBody, responses, NoContent, Id, StrictObject } from '../../kernel/api/schemas.js';
import { requestContext } from '../../kernel/api/routes.js';
import type { OrderService } from './service.js';
import type { ChangeOrderService } from './change-orders.js';
import type { ApprovalRules } from './approval-rules.js';
import {
  AddItemBody,
  ApplyCouponBody,
  ApprovalRule,
  ChangeBody,
  ChangePreview,
  CreateApprovalRuleBody,
  CreateOrderBody,
  CountOrdersQuery,
  ListOrdersQuery,
  OptionalReasonBody,
  Order,
  OrderCount,
  OrderIdParams,
  OrderItemParams,
  OrderPage,
  ReasonBody,
  RuleIdParams,
} from './schemas.js';

const tags = ['orders'];

export function orderRoutes(app: HttpApp, service: OrderService, changes: ChangeOrderService, approvalRules: ApprovalRules): void {
  app.post(
    '/api/v1/orders',
    {
      config: { action: service.useCases.create.action },
      schema: { tags, summary: 'Start a cart: a draft order in one currency, optionally with a coupon', body: CreateOrderBody, response: responses({ 201: Order }) },
    },
    async (request, reply) => {
      const order = await service.create(request.body, requestContext(request));
      return reply.status(201).header('location', `/api/v1/orders/${order.id}`).send(order);
    },
  );

  app.get(
    '/api/v1/orders',
    {
      config: { action: service.useCases.list.action },
      schema: { tags, summary: 'Orders, newest first (staff: every tenant’s, or one with tenantId)', querystring: ListOrdersQuery, response: responses({ 200: OrderPage }) },
    },
    async (request) => service.list(request.query, requestContext(request)),
  );

  app.get(
    '/api/v1/orders/count',
    {
      config: { action: service.useCases.count.action },
      schema: {
        tags,
        summary: 'How many orders match a status (and, for staff, a tenant)',
        description: 'The same filters and visibility as the list: a customer counts their active tenant’s orders, staff every tenant’s or one with tenantId. The admin console shows `?status=pending_approval` beside Orders: what waits for an operator.',
        querystring: CountOrdersQuery,
        response: responses({ 200: OrderCount }),
      },
    },
    async (request) => service.count(request.query, requestContext(request)),
  );

  app.get(
    '/api/v1/orders/:id',
    { config: { action: service.useCases.get.action }, schema: { tags, summary: 'An order with its items, prices and timeline', params: OrderIdParams, response: responses({ 200: Order }) } },
    async (request) => service.get(request.params.id, requestContext(request)),
  );

  app.post(
    '/api/v1/orders/:id/items',
    {
      config: { action: service.useCases.addItem.action },
      schema: {
        tags,
        summary: 'Add an item to a draft (checked against the product’s schema and priced now)',
        description: '422 PLAT_UNPROCESSABLE lists each configuration error with a JSON pointer; 409 when the version is retired or unpublished.',
        params: OrderIdParams,
        body: AddItemBody,
        response: responses({ 201: Order }),
      },
    },
    async (request, reply) => reply.status(201).send(await service.addItem(request.params.id, request.body, requestContext(request))),
  );

  app.delete(
    '/api/v1/orders/:id/items/:itemId',
    { config: { action: service.useCases.removeItem.action }, schema: { tags, summary: 'Remove an item from a draft', params: OrderItemParams, response: responses({ 200: Order }) } },
    async (request) => service.removeItem(request.params.id, request.params.itemId, requestContext(request)),
  );

  app.put(
    '/api/v1/orders/:id/coupon',
    {
      config: { action: service.useCases.setCoupon.action },
      schema: {
        tags,
        summary: 'Apply a coupon to a draft (replacing any other) and price every item again with it',
        description:
          'Only a draft can change (409 otherwise). 422 PLAT_UNPROCESSABLE with pointer /couponCode when the coupon does not exist, is no longer offered, has expired, has no redemptions left or (an amount off) has no amount in the order’s currency; nothing is written then. A coupon limited to some products leaves the other items at full price. The redemption is counted at submit.',
        params: OrderIdParams,
        body: ApplyCouponBody,
        response: responses({ 200: Order }),
      },
    },
    async (request) => service.setCoupon(request.params.id, request.body.couponCode, requestContext(request)),
  );

  app.delete(
    '/api/v1/orders/:id/coupon',
    {
      config: { action: service.useCases.setCoupon.action },
      schema: { tags, summary: 'Take the coupon off a draft and price every item again without it', description: 'Only a draft can change (409 otherwise). Taking it off a draft that has none is harmless: the same prices come back.', params: OrderIdParams, response: responses({ 200: Order }) },
    },
    async (request) => service.setCoupon(request.params.id, null, requestContext(request)),
  );

  app.post(
    '/api/v1/orders/:id/items/:itemId/change-preview',
    {
      config: { action: changes.useCases.preview.action },
      schema: {
        tags,
        summary: 'Price an upgrade, downgrade or quantity change of a live item, with its proration',
        description:
          'Modes: prorate_now (credit the unused old price, charge the new one for the rest of the period), at_period_end, none. The same answer POST …/change would act on; 409 PLAT_CONFLICT naming the newer order (changeOrderId) when a live change order already changes this item. Writes nothing.',
        params: OrderItemParams,
        body: ChangeBody,
        response: responses({ 200: ChangePreview }),
      },
    },
    async (request) => changes.previewChange(request.params.id, request.params.itemId, request.body, requestContext(request)),
  );

  app.post(
    '/api/v1/orders/:id/items/:itemId/change',
    {
      config: { action: changes.useCases.change.action },
      schema: {
        tags,
        summary: 'Change a live item (upgrade, downgrade, quantity change): places a change order (Idempotency-Key required)',
        description:
          'The item must belong to a fulfilled order. In one transaction a new order is placed for the proposed item, priced and prorated exactly as change-preview shows, with changeOf naming the item and proration its proration (dueNowMinor is what prorate_now charges now; 0 in the other modes); it is submitted and moves on like any order (approval rules apply). Quotas and stock: only what the new item needs beyond the old one is taken now (409 PLAT_QUOTA_EXCEEDED with quota, limit, current and requested; 409 PLAT_OUT_OF_STOCK); what it needs less is given back when the change order is fulfilled; cancelling, rejecting or failing it gives back what it took. 409 PLAT_CONFLICT naming the newer order (changeOrderId) when a change order that is not cancelled or failed already changes this item: change that order’s item instead. 409 when the order is not fulfilled or the version is retired or unpublished; 404 for an unknown item; 422 PLAT_UNPROCESSABLE with JSON pointers for configuration, plan, quantity and availability problems. Nothing is written on any refusal.',
        params: OrderItemParams,
        body: ChangeBody,
        headers: Type.Object({ 'idempotency-key': Type.String({ minLength: 1, maxLength: 200, description: 'Required: a retried change returns the first answer (the same change order)' }) }),
        response: responses({ 201: Order }),
      },
    },
    async (request, reply) => {
      const order = await changes.change(request.params.id, request.params.itemId, request.body, requestContext(request));
      return reply.status(201).header('location', `/api/v1/orders/${order.id}`).send(order);
    },
  );

  app.post(
    '/api/v1/orders/:id/submit',
    {
      config: { action: service.useCases.submit.action },
      schema: {
        tags,
        summary: 'Submit a draft: validate, check quotas and stock, price, and send it on (Idempotency-Key required)',
        description:
          'In one transaction. 422 PLAT_UNPROCESSABLE lists every item problem; 409 PLAT_QUOTA_EXCEEDED carries quota, limit, current and requested; 409 PLAT_OUT_OF_STOCK; 409 when a pinned version is no longer published. Nothing is written on any refusal.',
        params: OrderIdParams, body: EmptyBody,
        headers: Type.Object({ 'idempotency-key': Type.String({ minLength: 1, maxLength: 200, description: 'Required: a retried submit returns the first answer' }) }),
        response: responses({ 200: Order }),
      },
    },
    async (request) => service.submit(request.params.id, requestContext(request)),
  );

  app.post(
    '/api/v1/orders/:id/cancel',
    { config: { action: service.useCases.cancel.action }, schema: { tags, summary: 'Cancel an order before provisioning starts', params: OrderIdParams, body: OptionalReasonBody, response: responses({ 200: Order }) } },
    async (request) => service.cancel(request.params.id, request.body.reason, requestContext(request)),
  );

  app.post(
    '/api/v1/orders/:id/approve',
    { config: { action: service.useCases.approve.action }, schema: { tags, summary: 'Approve an order held for approval (operators)', params: OrderIdParams, body: OptionalReasonBody, response: responses({ 200: Order }) } },
    async (request) => service.approve(request.params.id, request.body.reason, requestContext(request)),
  );

  app.post(
    '/api/v1/orders/:id/reject',
    { config: { action: service.useCases.reject.action }, schema: { tags, summary: 'Reject an order held for approval, with a reason (operators)', params: OrderIdParams, body: ReasonBody, response: responses({ 200: Order }) } },
    async (request) => service.reject(request.params.id, request.body.reason, requestContext(request)),
  );

  app.post(
    '/api/v1/orders/:id/fulfil',
    { config: { action: service.useCases.fulfil.action }, schema: { tags, summary: 'Report an order delivered (the provisioning side)', params: OrderIdParams, body: EmptyBody, response: responses({ 200: Order }) } },
    async (request) => service.fulfil(request.params.id, requestContext(request)),
  );

  app.post(
    '/api/v1/orders/:id/fail',
    {
      config: { action: service.useCases.fail.action },
      schema: { tags, summary: 'Report an order that could not be delivered; its reservations are released (the provisioning side)', params: OrderIdParams, body: ReasonBody, response: responses({ 200: Order }) },
    },
    async (request) => service.fail(request.params.id, request.body.reason, requestContext(request)),
  );

  app.get(
    '/api/v1/tenants/:id/quota-usage',
    {
      config: { action: service.useCases.reservations.action },
      schema: {
        tags,
        summary: 'What the tenant’s live orders hold of each quota',
        params: StrictObject({ id: Id('tenant') }),
        response: responses({ 200: Type.Record(Type.String(), Type.Integer()) }),
      },
    },
    async (request) => service.reservations(request.params.id, requestContext(request)),
  );

  app.post(
    '/api/v1/approval-rules',
    { config: { action: approvalRules.useCases.create.action }, schema: { tags, summary: 'Hold orders for approval when a condition matches', body: CreateApprovalRuleBody, response: responses({ 201: ApprovalRule }) } },
    async (request, reply) => reply.status(201).send(await approvalRules.create(request.body, requestContext(request))),
  );

  app.get(
    '/api/v1/approval-rules',
    { config: { action: approvalRules.useCases.list.action }, schema: { tags, summary: 'Approval rules', response: responses({ 200: Type.Array(ApprovalRule) }) } },
    async (request) => approvalRules.list(requestContext(request)),
  );

  app.delete(
    '/api/v1/approval-rules/:id',
    { config: { action: approvalRules.useCases.delete.action }, schema: { tags, summary: 'Delete an approval rule', params: RuleIdParams, response: responses({ 204: NoContent }) } },
    async (request, reply) => {
      await approvalRules.delete(request.params.id, requestContext(request));
      return reply.status(204).send(null);
    },
  );
}
