// Orders as the pages use them: the cursor-paged list, one order with the status changes people can
// ask for, the count waiting for approval, carts (draft orders) and their items, and changing a live
// item. Every call to the orders API from the apps goes through here.
import { api, unwrap } from '../../api/client.js';
import type { ChangePreview, ItemChangeInput, Order, OrderStatus } from '../../api/types.js';
import { useResource, type Resource } from '../../api/use-resource.js';
import { useCursorPages, type CursorPages } from '../../cursor-pages.js';

export interface OrderFilter {
  status?: OrderStatus | undefined;
  tenantId?: string | undefined;
  /** An order number as the API takes it ("ORD-000042", "ord-42", "42"). */
  number?: string | undefined;
}

/** The orders matching a filter, newest first, a page at a time. Key the list by its filter to start again. */
export function useOrderPages(filter: OrderFilter, pageSize = 25): CursorPages<Order> {
  return useCursorPages<Order>(
    async (cursor) =>
      (
        await unwrap(
          api.GET('/api/v1/orders', {
            params: { query: { limit: pageSize, ...(filter.status ? { status: filter.status } : {}), ...(filter.tenantId ? { tenantId: filter.tenantId } : {}), ...(filter.number ? { number: filter.number } : {}), ...(cursor ? { cursor } : {}) } },
          }),
        )
      ).data,
  );
}

/** A status change someone asks for on an order: operators approve, reject, fulfil or fail; customers cancel. */
export type OrderTransition = 'approve' | 'reject' | 'fulfil' | 'fail' | 'cancel';

async function transition(id: string, action: OrderTransition, reason: string): Promise<Order> {
  const params = { path: { id } };
  switch (action) {
    case 'approve':
      return (await unwrap(api.POST('/api/v1/orders/{id}/approve', { params, body: reason ? { reason } : {} }))).data;
    case 'reject':
      return (await unwrap(api.POST('/api/v1/orders/{id}/reject', { params, body: { reason } }))).data;
    case 'fulfil':
      return (await unwrap(api.POST('/api/v1/orders/{id}/fulfil', { params, body: {} }))).data;
    case 'fail':
      return (await unwrap(api.POST('/api/v1/orders/{id}/fail', { params, body: { reason } }))).data;
    case 'cancel':
      return (await unwrap(api.POST('/api/v1/orders/{id}/cancel', { params, body: reason ? { reason } : {} }))).data;
  }
}

export interface OrderResource extends Resource<Order> {
  /** Asks for a status change; the order as the server answered replaces the one shown. */
  transition(action: OrderTransition, reason: string): Promise<Order>;
}

export function useOrder(id: string): OrderResource {
  const order = useResource(async () => (await unwrap(api.GET('/api/v1/orders/{id}', { params: { path: { id } } }))).data, [id]);
  return {
    ...order,
    async transition(action, reason) {
      const next = await transition(id, action, reason);
      order.set(next);
      return next;
    },
  };
}

/** How many orders have this status (the sidebar's count of what waits for approval); `deps` ask again. */
export function useOrderCount(status: OrderStatus, deps: readonly unknown[]): Resource<number> {
  return useResource(async () => (await unwrap(api.GET('/api/v1/orders/count', { params: { query: { status } } }))).data.count, [status, ...deps]);
}

// Carts: a cart is a draft order in one currency.

/** Every cart of the tenant (draft orders), newest first. */
export async function listCarts(): Promise<Order[]> {
  const { data } = await unwrap(api.GET('/api/v1/orders', { params: { query: { status: 'draft', limit: 100 } } }));
  return data.data;
}

/** The cart in this currency, started if there is none yet. */
export async function cartFor(currency: string): Promise<Order> {
  const existing = (await listCarts()).find((order) => order.currency === currency);
  if (existing) return existing;
  return (await unwrap(api.POST('/api/v1/orders', { body: { currency } }))).data;
}

export interface CartItemInput {
  productId: string;
  version: number;
  pricePlan: string;
  quantity: number;
  configuration: Record<string, unknown>;
}

/** What the cart pages change; each answer is the cart priced again. */
export interface CartActions {
  addItem(currency: string, item: CartItemInput): Promise<Order>;
  removeItem(cartId: string, itemId: string): Promise<Order>;
  applyCoupon(cartId: string, couponCode: string): Promise<Order>;
  removeCoupon(cartId: string): Promise<Order>;
  /** Places the order; `idempotencyKey` is reused while the same submission is retried. */
  submit(cartId: string, idempotencyKey: string): Promise<Order>;
}

const cartActions: CartActions = {
  async addItem(currency, item) {
    const cart = await cartFor(currency);
    return (await unwrap(api.POST('/api/v1/orders/{id}/items', { params: { path: { id: cart.id } }, body: item }))).data;
  },
  async removeItem(cartId, itemId) {
    return (await unwrap(api.DELETE('/api/v1/orders/{id}/items/{itemId}', { params: { path: { id: cartId, itemId } } }))).data;
  },
  async applyCoupon(cartId, couponCode) {
    return (await unwrap(api.PUT('/api/v1/orders/{id}/coupon', { params: { path: { id: cartId } }, body: { couponCode } }))).data;
  },
  async removeCoupon(cartId) {
    return (await unwrap(api.DELETE('/api/v1/orders/{id}/coupon', { params: { path: { id: cartId } } }))).data;
  },
  async submit(cartId, idempotencyKey) {
    return (await unwrap(api.POST('/api/v1/orders/{id}/submit', { params: { path: { id: cartId }, header: { 'idempotency-key': idempotencyKey } }, body: {} }))).data;
  },
};

export function useCartActions(): CartActions {
  return cartActions;
}

/** The tenant's carts, with the cart actions. */
export function useCarts(): Resource<Order[]> & CartActions {
  return { ...useResource(listCarts, []), ...cartActions };
}

export interface ItemChangeActions {
  preview(body: ItemChangeInput): Promise<ChangePreview>;
  /** Places the change order; `idempotencyKey` stays the same while the change does. */
  place(body: ItemChangeInput, idempotencyKey: string): Promise<Order>;
}

/** Changing a live item of a fulfilled order. */
export function useItemChange(orderId: string, itemId: string): ItemChangeActions {
  const path = { id: orderId, itemId };
  return {
    async preview(body) {
      return (await unwrap(api.POST('/api/v1/orders/{id}/items/{itemId}/change-preview', { params: { path }, body }))).data;
    },
    async place(body, idempotencyKey) {
      return (await unwrap(api.POST('/api/v1/orders/{id}/items/{itemId}/change', { params: { path, header: { 'idempotency-key': idempotencyKey } }, body }))).data;
    },
  };
}
