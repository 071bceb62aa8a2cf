// Use cases of the catalog. Operators (platform staff) write it: products, versions that move
// draft → published → retired, coupons (coupons.ts). Everyone signed in reads what is visible to
// their tenant and asks for price previews. Each use case runs through the kernel's pipeline
// (kernel/use-case.ts): its declared action is what its route declares and what is authorized, and
// every change is audited on the platform chain and published as its event, in the transaction that
// makes it. CatalogService (service.ts) runs them for callers and keeps the reads orders rely on.
import type { Kernel } from '../../kernel/kernel.js';
import type { Tx } from '../../kernel/db/database.js';
import { newId, isId } from '../../kernel/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../../kernel/api/cursor.js';
import { resourceName, PLATFORM } from '../../kernel/authz/authorize.js';
import type { EventContract } from '../../kernel/events.js';
import { defineUseCase, type UseCaseRun } from '../../kernel/use-case.js';
import { ConflictError, InvalidTransitionError, NotFoundError, UnprocessableError, type FieldError } from '../../kernel/errors.js';
import { isCurrency } from '../../kernel/money.js';
import type { CatalogRepository } from './repository.js';
import { ProductArchived, ProductCreated, ProductRestored, ProductUpdated, VersionCreated, VersionDeleted, VersionPublished, VersionRetired, VersionUpdated, type CatalogChangePayload } from './events.js';
import { checkConfigurationSchema, validateConfiguration } from './configuration.js';
import { checkPriceModel, type PriceModel } from './pricing.js';
import { diff, type Change } from './diff.js';
import { quote } from './quote.js';
import { readable, readerAsViewer, readerResource, type Reader } from './visibility.js';
import type { CreateProductBody, ListProductsQuery, PreviewBody, PricePreview, Product, ProductVersion, UpdateProductBody, VersionContent, VersionContentPatch } from './schemas.js';

/** What the catalog's use cases are built from. */
export interface CatalogUseCasePorts {
  kernel: Pick<Kernel, 'clock'>;
  repository: CatalogRepository;
  /** The version a tenant may order (CatalogService's cached read): a tenant's preview prices what its order would. */
  orderableVersion(tx: Tx, productId: string, version: number | undefined, viewer: { tenantId: string; tier: string }): Promise<{ product: Product; version: ProductVersion }>;
}

const isProductId = (value: unknown): value is string => typeof value === 'string' && isId('product', value);

/** A new product's first draft: sellable once an operator adds a price plan and publishes it. */
export function emptyContent(): VersionContent {
  return {
    summary: 'First version',
    configurationSchema: { type: 'object', properties: {}, additionalProperties: false },
    availability: { regions: [], providers: [], tenantTiers: [], minQuantity: 1, maxQuantity: null, prerequisites: [] },
    provisioning: null,
    requiresApproval: false,
    quotaConsumption: {},
    pricePlans: [],
  };
}

/** Problems that stop a version from being published, each with a pointer into its content. */
export function publicationProblems(content: VersionContent, knownProducts: Set<string>): FieldError[] {
  const problems: FieldError[] = [...checkConfigurationSchema(content)];
  if (content.pricePlans.length === 0) problems.push({ pointer: '/pricePlans', message: 'a version needs at least one price plan to be sold' });
  const codes = new Set<string>();
  content.pricePlans.forEach((plan, index) => {
    const at = `/pricePlans/${index}`;
    if (codes.has(plan.code)) problems.push({ pointer: `${at}/code`, message: `${plan.code} is used by another plan of this version` });
    codes.add(plan.code);
    if (Object.keys(plan.prices).length === 0) problems.push({ pointer: `${at}/prices`, message: 'needs a price in at least one currency' });
    const checkModels = (prices: Record<string, PriceModel>, base: string) => {
      for (const [currency, model] of Object.entries(prices)) {
        if (!isCurrency(currency)) problems.push({ pointer: `${base}/${currency}`, message: `${currency} is not an ISO 4217 currency` });
        for (const problem of checkPriceModel(model)) problems.push({ pointer: `${base}/${currency}${problem.pointer}`, message: problem.message });
      }
    };
    checkModels(plan.prices as Record<string, PriceModel>, `${at}/prices`);
    for (const currency of Object.keys(plan.setupFee)) {
      if (!(currency in plan.prices)) problems.push({ pointer: `${at}/setupFee/${currency}`, message: `has no matching price in ${currency}` });
    }
    const metrics = new Set<string>();
    plan.usage.forEach((component, usageIndex) => {
      if (metrics.has(component.metricCode)) problems.push({ pointer: `${at}/usage/${usageIndex}/metricCode`, message: 'appears twice in this plan' });
      metrics.add(component.metricCode);
      checkModels(component.prices as Record<string, PriceModel>, `${at}/usage/${usageIndex}/prices`);
    });
    if (plan.interval === 'one_time' && plan.trialDays > 0) problems.push({ pointer: `${at}/trialDays`, message: 'a one-time plan has no trial' });
  });
  const { minQuantity, maxQuantity, prerequisites } = content.availability;
  if (maxQuantity !== null && maxQuantity < minQuantity) problems.push({ pointer: '/availability/maxQuantity', message: `must be at least minQuantity (${minQuantity})` });
  prerequisites.forEach((productId, index) => {
    if (!knownProducts.has(productId)) problems.push({ pointer: `/availability/prerequisites/${index}`, message: `${productId} is not a product` });
  });
  return problems;
}

const staffResource = (type: string, id: string) => resourceName(PLATFORM, type, id);
const versionTarget = (productId: string, version: number) => ({ type: 'product-version' as const, id: `${productId}@${version}` });

type VersionRef = { productId: string; version: number };

/** The catalog's use cases (coupons aside: coupons.ts), in the order the module lists them. */
export function catalogUseCases({ kernel, repository, orderableVersion }: CatalogUseCasePorts) {
  async function changeProduct(tx: Tx, productId: string, record: UseCaseRun<unknown>['record'], contract: EventContract<CatalogChangePayload>, apply: (current: Product) => Promise<void>): Promise<Product> {
    const current = await repository.findProduct(tx, productId, { forUpdate: true });
    if (!current) throw new NotFoundError('Product', productId);
    await apply(current);
    const after = (await repository.findProduct(tx, productId))!;
    const target = { type: 'product' as const, id: productId };
    record({ target, before: current, after, event: { contract, payload: { target } } });
    return after;
  }

  async function readVersion(tx: Tx, reader: Reader, productId: string, version: number): Promise<ProductVersion> {
    const product = await repository.findProduct(tx, productId);
    const found = product && readable(product, reader) ? await repository.findVersion(tx, productId, version) : undefined;
    if (!found || (!reader.staff && found.status === 'draft')) throw new NotFoundError('Product version', `${productId}@${version}`);
    return found;
  }

  async function lockVersion(tx: Tx, productId: string, version: number): Promise<ProductVersion> {
    const found = await repository.findVersion(tx, productId, version, { forUpdate: true });
    if (!found) throw new NotFoundError('Product version', `${productId}@${version}`);
    return found;
  }

  /** Staff may preview any version, drafts included (to check prices before publishing); a tenant what it may order. */
  async function preview(tx: Tx, input: PreviewBody, viewer: { tenantId: string; tier: string } | undefined): Promise<PricePreview> {
    let product: Product | undefined;
    let version: ProductVersion;
    if (viewer) {
      ({ product, version } = await orderableVersion(tx, input.productId, input.version, viewer));
    } else {
      product = await repository.findProduct(tx, input.productId);
      if (!product) throw new NotFoundError('Product', input.productId);
      const number = input.version ?? product.currentVersion ?? (await repository.latestVersionNumber(tx, input.productId));
      const found = await repository.findVersion(tx, input.productId, number);
      if (!found) throw new NotFoundError('Product version', `${input.productId}@${number}`);
      version = found;
    }
    if (input.configuration !== undefined) {
      const checked = validateConfiguration(`${product.id}@${version.version}:${version.status}`, version.content.configurationSchema, input.configuration);
      if (!checked.ok) throw new UnprocessableError(`The configuration does not match the schema of version ${version.version}.`, checked.errors.map((e) => ({ ...e, pointer: `/configuration${e.pointer === '/' ? '' : e.pointer}` })));
    }
    const coupon = input.couponCode ? await repository.findCoupon(tx, { code: input.couponCode }) : null;
    if (input.couponCode && !coupon) throw new UnprocessableError(`There is no coupon ${input.couponCode}.`, [{ pointer: '/couponCode', message: 'is not a coupon' }]);
    return quote({
      productId: product.id,
      version: version.version,
      content: version.content,
      pricePlan: input.pricePlan,
      currency: input.currency,
      quantity: input.quantity,
      coupon,
      estimatedUsage: input.estimatedUsage,
      now: kernel.clock.now(),
    });
  }

  return {
    createProduct: defineUseCase<CreateProductBody, Product>({
      name: 'catalog.create-product',
      access: { action: 'catalog:product.create' },
      resource: () => staffResource('product', '*'),
      run: async ({ tx, input, record }) => {
        const now = kernel.clock.now();
        const productId = newId('product');
        const product = await repository.insertProduct(tx, {
          product_id: productId,
          code: input.code,
          kind: input.kind,
          name: input.name.trim(),
          description: input.description ?? '',
          category: input.category.trim(),
          images: input.images ?? [],
          visibility: input.visibility ?? { mode: 'public' },
          capacity: input.capacity ?? null,
          created_at: now,
          updated_at: now,
        });
        await repository.insertVersion(tx, productId, 1, emptyContent(), now);
        const target = { type: 'product' as const, id: productId };
        record({ target, after: product, event: { contract: ProductCreated, payload: { target } } });
        return product;
      },
    }),

    getProduct: defineUseCase<{ productId: string; reader: Reader }, Product>({
      name: 'catalog.get-product',
      access: { action: 'catalog:product.read' },
      resource: (input) => readerResource(input.reader, input.productId),
      run: async ({ tx, input: { productId, reader } }) => {
        const product = await repository.findProduct(tx, productId);
        if (!product || !readable(product, reader)) throw new NotFoundError('Product', productId);
        return product;
      },
    }),

    listProducts: defineUseCase<ListProductsQuery & { reader: Reader }, Page<Product>>({
      name: 'catalog.list-products',
      access: { action: 'catalog:product.list' },
      resource: (input) => readerResource(input.reader, '*'),
      run: async ({ tx, input: { reader, ...query } }) => {
        const viewer = readerAsViewer(reader, '*');
        const limit = query.limit ?? 25;
        const beforeId = decodeCursor(query.cursor, isProductId);
        const rows = await repository.listProducts(tx, {
          search: query.q,
          category: query.category,
          kind: query.kind,
          includeArchived: viewer === undefined && query.includeArchived === true,
          orderableOnly: viewer !== undefined,
          visibleTo: viewer,
          beforeId,
          limit: limit + 1,
        });
        const page = rows.slice(0, limit);
        const last = page[page.length - 1];
        return { data: page, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
      },
    }),

    updateProduct: defineUseCase<{ productId: string; patch: UpdateProductBody }, Product>({
      name: 'catalog.update-product',
      access: { action: 'catalog:product.update' },
      resource: (input) => staffResource('product', input.productId),
      run: ({ tx, input: { productId, patch }, record }) =>
        changeProduct(tx, productId, record, ProductUpdated, async (current) => {
          if (patch.capacity !== undefined && patch.capacity !== null && patch.capacity < current.capacityUsed) {
            throw new ConflictError(`${current.capacityUsed} units are already sold; the capacity cannot go below that.`, { errors: [{ pointer: '/capacity', message: `must be at least ${current.capacityUsed}` }] });
          }
          await repository.updateProduct(
            tx,
            productId,
            {
              ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
              ...(patch.description !== undefined ? { description: patch.description } : {}),
              ...(patch.category !== undefined ? { category: patch.category.trim() } : {}),
              ...(patch.images !== undefined ? { images: patch.images } : {}),
              ...(patch.visibility !== undefined ? { visibility: patch.visibility } : {}),
              ...(patch.capacity !== undefined ? { capacity: patch.capacity } : {}),
            },
            kernel.clock.now(),
          );
        }),
    }),

    archiveProduct: defineUseCase<{ productId: string }, Product>({
      name: 'catalog.archive-product',
      access: { action: 'catalog:product.archive' },
      resource: (input) => staffResource('product', input.productId),
      run: ({ tx, input: { productId }, record }) => changeProduct(tx, productId, record, ProductArchived, () => repository.updateProduct(tx, productId, { archived: true }, kernel.clock.now())),
    }),

    restoreProduct: defineUseCase<{ productId: string }, Product>({
      name: 'catalog.restore-product',
      access: { action: 'catalog:product.restore' },
      resource: (input) => staffResource('product', input.productId),
      run: ({ tx, input: { productId }, record }) => changeProduct(tx, productId, record, ProductRestored, () => repository.updateProduct(tx, productId, { archived: false }, kernel.clock.now())),
    }),

    listVersions: defineUseCase<{ productId: string; reader: Reader }, ProductVersion[]>({
      name: 'catalog.list-versions',
      access: { action: 'catalog:version.list' },
      resource: (input) => readerResource(input.reader, input.productId),
      run: async ({ tx, input: { productId, reader } }) => {
        const product = await repository.findProduct(tx, productId);
        if (!product || !readable(product, reader)) throw new NotFoundError('Product', productId);
        const versions = await repository.listVersions(tx, productId);
        // Customers see what they can order or already have: never drafts.
        return reader.staff ? versions : versions.filter((version) => version.status !== 'draft');
      },
    }),

    getVersion: defineUseCase<VersionRef & { reader: Reader }, ProductVersion>({
      name: 'catalog.get-version',
      access: { action: 'catalog:version.read' },
      resource: (input) => readerResource(input.reader, input.productId),
      run: ({ tx, input: { productId, version, reader } }) => readVersion(tx, reader, productId, version),
    }),

    diffVersions: defineUseCase<{ productId: string; from: number; to: number; reader: Reader }, { from: number; to: number; changes: Change[] }>({
      name: 'catalog.diff-versions',
      access: { action: 'catalog:version.read' },
      resource: (input) => readerResource(input.reader, input.productId),
      run: async ({ tx, input: { productId, from, to, reader } }) => {
        const before = await readVersion(tx, reader, productId, from);
        const after = await readVersion(tx, reader, productId, to);
        return { from, to, changes: diff(before.content, after.content) };
      },
    }),

    createVersion: defineUseCase<{ productId: string; copyFrom: number | undefined }, ProductVersion>({
      name: 'catalog.create-version',
      access: { action: 'catalog:version.create' },
      resource: (input) => staffResource('product', input.productId),
      run: async ({ tx, input: { productId, copyFrom }, record }) => {
        const product = await repository.findProduct(tx, productId, { forUpdate: true });
        if (!product) throw new NotFoundError('Product', productId);
        const latest = await repository.latestVersionNumber(tx, productId);
        const sourceNumber = copyFrom ?? latest;
        const source = sourceNumber > 0 ? await repository.findVersion(tx, productId, sourceNumber) : undefined;
        if (copyFrom !== undefined && !source) throw new NotFoundError('Product version', `${productId}@${copyFrom}`);
        const content = source ? { ...source.content, summary: '' } : emptyContent();
        const created = await repository.insertVersion(tx, productId, latest + 1, content, kernel.clock.now());
        const target = versionTarget(productId, created.version);
        record({ target, after: created, event: { contract: VersionCreated, payload: { target } } });
        return created;
      },
    }),

    updateDraft: defineUseCase<VersionRef & { patch: VersionContentPatch }, ProductVersion>({
      name: 'catalog.update-draft',
      access: { action: 'catalog:version.update' },
      resource: (input) => staffResource('product', input.productId),
      run: async ({ tx, input: { productId, version, patch }, record }) => {
        const current = await lockVersion(tx, productId, version);
        if (current.status !== 'draft') throw new InvalidTransitionError('product version', current.status, 'edited (published versions are immutable: create a new version)');
        const content: VersionContent = { ...current.content, ...patch } as VersionContent;
        const updated = await repository.replaceDraft(tx, productId, version, content);
        const target = versionTarget(productId, version);
        record({ target, before: current, after: updated, event: { contract: VersionUpdated, payload: { target } } });
        return updated;
      },
    }),

    deleteDraft: defineUseCase<VersionRef, void>({
      name: 'catalog.delete-draft',
      access: { action: 'catalog:version.delete' },
      resource: (input) => staffResource('product', input.productId),
      run: async ({ tx, input: { productId, version }, record }) => {
        const current = await lockVersion(tx, productId, version);
        if (current.status !== 'draft') throw new InvalidTransitionError('product version', current.status, 'deleted (only drafts can be)');
        await repository.deleteDraft(tx, productId, version);
        const target = versionTarget(productId, version);
        record({ target, before: current, event: { contract: VersionDeleted, payload: { target } } });
      },
    }),

    /** Publishes a draft: 422 listing every problem when its schema, prices or availability are unusable. */
    publish: defineUseCase<VersionRef, ProductVersion>({
      name: 'catalog.publish-version',
      access: { action: 'catalog:version.publish' },
      resource: (input) => staffResource('product', input.productId),
      run: async ({ tx, input: { productId, version }, record }) => {
        const current = await lockVersion(tx, productId, version);
        if (current.status !== 'draft') throw new InvalidTransitionError('product version', current.status, 'published');
        const known = await repository.productIdsExist(tx, current.content.availability.prerequisites);
        const problems = publicationProblems(current.content, known);
        if (problems.length > 0) throw new UnprocessableError(`Version ${version} cannot be published: ${problems.length} problem(s).`, problems);
        const published = await repository.setVersionStatus(tx, productId, version, 'published', kernel.clock.now());
        const target = versionTarget(productId, version);
        record({ target, before: current, after: published, event: { contract: VersionPublished, payload: { target } } });
        return published;
      },
    }),

    /** Retires a published version: no new orders; what customers already have is untouched. */
    retire: defineUseCase<VersionRef, ProductVersion>({
      name: 'catalog.retire-version',
      access: { action: 'catalog:version.retire' },
      resource: (input) => staffResource('product', input.productId),
      run: async ({ tx, input: { productId, version }, record }) => {
        const current = await lockVersion(tx, productId, version);
        if (current.status !== 'published') throw new InvalidTransitionError('product version', current.status, 'retired');
        const retired = await repository.setVersionStatus(tx, productId, version, 'retired', kernel.clock.now());
        const target = versionTarget(productId, version);
        record({ target, before: current, after: retired, event: { contract: VersionRetired, payload: { target } } });
        return retired;
      },
    }),

    preview: defineUseCase<PreviewBody & { reader: Reader }, PricePreview>({
      name: 'catalog.preview-price',
      access: { action: 'catalog:price.read' },
      resource: (input) => readerResource(input.reader, input.productId),
      run: ({ tx, input: { reader, ...input } }) => preview(tx, input, readerAsViewer(reader, input.productId)),
    }),
  };
}

export type CatalogUseCases = ReturnType<typeof catalogUseCases>;
