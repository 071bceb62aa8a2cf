// The catalog as the pages use it: products (paged for operators, by category and search for
// customers), a product with its versions, one version, a diff of two, drafting, publishing and
// retiring versions, price quotes, coupons and approval rules.
import { api, unwrap } from '../../api/client.js';
import type { ApprovalRule, Coupon, CreateApprovalRuleInput, CreateCouponInput, CreateProductInput, PricePreview, PricePreviewInput, Product, ProductKind, ProductVersion, VersionContentPatch, VersionDiff } from '../../api/types.js';
import { useResource, type Resource } from '../../api/use-resource.js';
import { useCursorPages, type CursorPages } from '../../cursor-pages.js';

export interface ProductFilter {
  q?: string;
  category?: string;
  kind?: ProductKind | undefined;
  includeArchived?: boolean;
}

function productQuery(filter: ProductFilter) {
  return { ...(filter.q ? { q: filter.q } : {}), ...(filter.category ? { category: filter.category } : {}), ...(filter.kind ? { kind: filter.kind } : {}), ...(filter.includeArchived ? { includeArchived: true } : {}) };
}

/** Products matching a filter, a page at a time (operators). Key the list by its filter to start again. */
export function useProductPages(filter: ProductFilter, pageSize = 25): CursorPages<Product> {
  return useCursorPages<Product>(async (cursor) => (await unwrap(api.GET('/api/v1/products', { params: { query: { limit: pageSize, ...productQuery(filter), ...(cursor ? { cursor } : {}) } } }))).data);
}

/** The first 100 products matching a filter (the customer's catalog, which the server narrows to what they may see). */
export function useProducts(filter: ProductFilter): Resource<Product[]> {
  return useResource(async () => (await unwrap(api.GET('/api/v1/products', { params: { query: { limit: 100, ...productQuery(filter) } } }))).data.data, [filter.q, filter.category, filter.kind, filter.includeArchived]);
}

async function readProduct(id: string): Promise<Product> {
  return (await unwrap(api.GET('/api/v1/products/{id}', { params: { path: { id } } }))).data;
}

async function readVersions(id: string): Promise<ProductVersion[]> {
  return (await unwrap(api.GET('/api/v1/products/{id}/versions', { params: { path: { id } } }))).data;
}

async function readVersion(id: string, version: number): Promise<ProductVersion> {
  return (await unwrap(api.GET('/api/v1/products/{id}/versions/{version}', { params: { path: { id, version } } }))).data;
}

export interface ProductDetailsInput {
  name: string;
  category: string;
  description: string;
  visibility: Product['visibility'];
  capacity: number | null;
}

export interface ProductActions {
  update(details: ProductDetailsInput): Promise<Product>;
  /** Starts a draft from the latest version. */
  newDraft(): Promise<ProductVersion>;
  archive(): Promise<Product>;
  restore(): Promise<Product>;
}

export function useProductActions(id: string): ProductActions {
  const params = { path: { id } };
  return {
    async update(details) {
      return (await unwrap(api.PATCH('/api/v1/products/{id}', { params, body: details }))).data;
    },
    async newDraft() {
      return (await unwrap(api.POST('/api/v1/products/{id}/versions', { params, body: {} }))).data;
    },
    async archive() {
      return (await unwrap(api.POST('/api/v1/products/{id}/archive', { params, body: {} }))).data;
    },
    async restore() {
      return (await unwrap(api.POST('/api/v1/products/{id}/restore', { params, body: {} }))).data;
    },
  };
}

/** A product with every version of it, with what can be done to it. */
export function useProduct(id: string): Resource<{ product: Product; versions: ProductVersion[] }> & ProductActions {
  const loaded = useResource(async () => {
    const [product, versions] = await Promise.all([readProduct(id), readVersions(id)]);
    return { product, versions };
  }, [id]);
  return { ...loaded, ...useProductActions(id) };
}

/** A product and one of its versions. */
export function useProductVersion(id: string, version: number): Resource<{ product: Product; version: ProductVersion }> {
  return useResource(async () => {
    const [product, read] = await Promise.all([readProduct(id), readVersion(id, version)]);
    return { product, version: read };
  }, [id, version]);
}

/** A product and its current (published) version, null when none can be ordered (the customer's product page). */
export function useOrderableProduct(id: string): Resource<{ product: Product; version: ProductVersion | null }> {
  return useResource(async () => {
    const product = await readProduct(id);
    return { product, version: product.currentVersion === null ? null : await readVersion(id, product.currentVersion) };
  }, [id]);
}

/** The published versions of a product (what a live item can be changed to). */
export function usePublishedVersions(id: string): Resource<ProductVersion[]> {
  return useResource(async () => (await readVersions(id)).filter((version) => version.status === 'published'), [id]);
}

/** A product and what changed between two of its versions. */
export function useVersionDiff(id: string, from: number, to: number): Resource<{ product: Product; diff: VersionDiff }> {
  return useResource(async () => {
    const [product, diff] = await Promise.all([readProduct(id), unwrap(api.GET('/api/v1/products/{id}/versions/diff', { params: { path: { id }, query: { from, to } } }))]);
    return { product, diff: diff.data };
  }, [id, from, to]);
}

export interface VersionActions {
  /** Saves changes to a draft. */
  save(patch: VersionContentPatch): Promise<ProductVersion>;
  publish(): Promise<ProductVersion>;
  /** Deletes a draft. */
  discard(): Promise<void>;
  retire(): Promise<ProductVersion>;
}

export function useVersionActions(productId: string, version: number): VersionActions {
  const params = { path: { id: productId, version } };
  return {
    async save(patch) {
      return (await unwrap(api.PATCH('/api/v1/products/{id}/versions/{version}', { params, body: patch }))).data;
    },
    async publish() {
      return (await unwrap(api.POST('/api/v1/products/{id}/versions/{version}/publish', { params, body: {} }))).data;
    },
    async discard() {
      await unwrap(api.DELETE('/api/v1/products/{id}/versions/{version}', { params }));
    },
    async retire() {
      return (await unwrap(api.POST('/api/v1/products/{id}/versions/{version}/retire', { params, body: {} }))).data;
    },
  };
}

/** Creates a product (with its first, draft version); `idempotencyKey` is reused while the same form is sent again. */
export function useCreateProduct(): (body: CreateProductInput, idempotencyKey: string) => Promise<Product> {
  return async (body, idempotencyKey) => (await unwrap(api.POST('/api/v1/products', { body, headers: { 'Idempotency-Key': idempotencyKey } }))).data;
}

/** Asks the server what a configuration costs (the pages debounce it while people type). */
export function usePriceQuote(): (input: PricePreviewInput) => Promise<PricePreview> {
  return quotePrice;
}

async function quotePrice(input: PricePreviewInput): Promise<PricePreview> {
  return (await unwrap(api.POST('/api/v1/prices/preview', { body: input }))).data;
}

/** Coupons, a page at a time, with archiving and creating one. */
export function useCoupons(pageSize = 50): CursorPages<Coupon> & { archive(id: string): Promise<void>; create(body: CreateCouponInput, idempotencyKey: string): Promise<Coupon> } {
  const pages = useCursorPages<Coupon>(async (cursor) => (await unwrap(api.GET('/api/v1/coupons', { params: { query: { limit: pageSize, ...(cursor ? { cursor } : {}) } } }))).data);
  return {
    ...pages,
    async archive(id) {
      await unwrap(api.POST('/api/v1/coupons/{id}/archive', { params: { path: { id } }, body: {} }));
    },
    async create(body, idempotencyKey) {
      return (await unwrap(api.POST('/api/v1/coupons', { body, headers: { 'Idempotency-Key': idempotencyKey } }))).data;
    },
  };
}

/** The approval rules, with creating and deleting one. */
export function useApprovalRules(): Resource<ApprovalRule[]> & { create(body: CreateApprovalRuleInput): Promise<void>; remove(id: string): Promise<void> } {
  const rules = useResource(async () => (await unwrap(api.GET('/api/v1/approval-rules'))).data, []);
  return {
    ...rules,
    async create(body) {
      await unwrap(api.POST('/api/v1/approval-rules', { body }));
    },
    async remove(id) {
      await unwrap(api.DELETE('/api/v1/approval-rules/{id}', { params: { path: { id } } }));
    },
  };
}
