// Typed builders for the things most tests need before they can test anything: a tenant, a member
// of it, a product with a published version and a price plan, a cart, an order. They are made the
// way a customer or an operator makes them (over the HTTP API), typed from the generated API
// schema, and fail the test at once (with the response body) if the API refuses.
import { systemContext } from '../../src/kernel/context.js';
import type { VersionContentPatch } from '../../web/shared/api/types.js';
import { call, type RequestOf, type ResponseOf } from './api.js';
import { pricePlan, uniqueSuffix } from './catalog-fixtures.js';
import { addMember, type SignedInHeaders, type TestPlatform } from './platform.js';

export { perUnitPlan, pricePlan, SERVER_CONFIGURATION, uniqueSuffix } from './catalog-fixtures.js';

export type CreatedTenant = ResponseOf<'/api/v1/tenants', 'post', 201>;
export type CreatedProduct = ResponseOf<'/api/v1/products', 'post', 201>;
export type PublishedVersion = ResponseOf<'/api/v1/products/{id}/versions/{version}/publish', 'post', 200>;
export type Cart = ResponseOf<'/api/v1/orders', 'post', 201>;
export type OrderView = ResponseOf<'/api/v1/orders/{id}', 'get', 200>;
export type CartItemInput = RequestOf<'/api/v1/orders/{id}/items', 'post'>;
export type NewCart = RequestOf<'/api/v1/orders', 'post'>;

export interface TenantOptions {
  organizationName?: string;
  domain?: string;
  adminEmail?: string;
}

/** A new active tenant, created by platform staff. */
export async function createTenant(t: TestPlatform, staff: SignedInHeaders, options: TenantOptions = {}): Promise<CreatedTenant> {
  const suffix = uniqueSuffix();
  const domain = options.domain ?? `tenant-${suffix}.example.com`;
  return call(t, 'post', '/api/v1/tenants', 201, {
    headers: staff,
    body: { organizationName: options.organizationName ?? `Tenant ${suffix}`, domain, adminEmail: options.adminEmail ?? `ops@${domain}` },
  });
}

export interface Member {
  userId: string;
  email: string;
  /** A signed-in session of the member (MFA completed if the platform asked for it). */
  session: SignedInHeaders;
}

/** A new person who is a member of the tenant with this role, signed in. */
export async function createMember(t: TestPlatform, tenantId: string, options: { email: string; role: string; password: string }): Promise<Member> {
  const user = await t.platform.identity.service.createUser({ email: options.email, password: options.password }, systemContext('test'));
  await addMember(t.platform, tenantId, options.email, options.role);
  return { userId: user.id, email: options.email, session: await t.signIn(options.email, options.password) };
}

export interface ProductOptions {
  /** Unique across the platform; a random one by default. */
  code?: string;
  /** Other fields of the product (kind, name, category, visibility, capacity …). */
  fields?: Partial<RequestOf<'/api/v1/products', 'post'>>;
  /** The first version's content; `pricePlans` defaults to [pricePlan()]. */
  content?: VersionContentPatch;
  /** Publish version 1 (default true). */
  publish?: boolean;
}

/** A product whose version 1 has the content (at least one price plan) and is published. */
export async function createProduct(t: TestPlatform, staff: SignedInHeaders, options: ProductOptions = {}): Promise<CreatedProduct> {
  const code = options.code ?? `product-${uniqueSuffix()}`;
  const product = await call(t, 'post', '/api/v1/products', 201, {
    headers: staff,
    body: { code, kind: 'compute', name: `Product ${code}`, category: 'test', ...options.fields },
  });
  await call(t, 'patch', '/api/v1/products/{id}/versions/{version}', 200, { headers: staff, params: { id: product.id, version: 1 }, body: { pricePlans: [pricePlan()], ...options.content } });
  if (options.publish ?? true) await publishVersion(t, staff, product.id, 1);
  return product;
}

export function publishVersion(t: TestPlatform, staff: SignedInHeaders, productId: string, version: number): Promise<PublishedVersion> {
  return call(t, 'post', '/api/v1/products/{id}/versions/{version}/publish', 200, { headers: staff, params: { id: productId, version } });
}

/** A draft order (cart) with these items; each item's price plan defaults to 'monthly', its quantity to 1. */
export async function createCart(t: TestPlatform, buyer: Record<string, string>, items: (Partial<CartItemInput> & { productId: string })[], cart: NewCart = { currency: 'EUR' }): Promise<Cart> {
  const created = await call(t, 'post', '/api/v1/orders', 201, { headers: buyer, body: cart });
  for (const item of items) {
    await call(t, 'post', '/api/v1/orders/{id}/items', 201, { headers: buyer, params: { id: created.id }, body: { pricePlan: 'monthly', quantity: 1, ...item } });
  }
  return items.length === 0 ? created : getOrder(t, buyer, created.id);
}

export function getOrder(t: TestPlatform, headers: Record<string, string>, orderId: string): Promise<OrderView> {
  return call(t, 'get', '/api/v1/orders/{id}', 200, { headers, params: { id: orderId } });
}

/** Submits a cart (with an idempotency key of its own); returns the order as the submission left it. */
export function submitOrder(t: TestPlatform, buyer: Record<string, string>, orderId: string, idempotencyKey = `submit-${uniqueSuffix()}`): Promise<ResponseOf<'/api/v1/orders/{id}/submit', 'post', 200>> {
  return call(t, 'post', '/api/v1/orders/{id}/submit', 200, { headers: { ...buyer, 'idempotency-key': idempotencyKey }, params: { id: orderId } });
}

/** A submitted order of these items: a cart, submitted. */
export async function createOrder(t: TestPlatform, buyer: Record<string, string>, items: (Partial<CartItemInput> & { productId: string })[], cart: NewCart = { currency: 'EUR' }) {
  const draft = await createCart(t, buyer, items, cart);
  return submitOrder(t, buyer, draft.id);
}
