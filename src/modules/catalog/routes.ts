// HTTP surface of the catalog: schema in, one service call, schema out. Each route declares the
// action of the use case it runs, so the route table and the authorization are one declaration.
import { Type } from 'typebox';
import type { HttpApp } from '../../kernel/api/routes.js';
import { EmptyBody, responses, NoContent, PageQuery, StrictObject } from '../../kernel/api/schemas.js';
import { requestContext } from '../../kernel/api/routes.js';
import type { CatalogService } from './service.js';
import type { CouponAdmin } from './coupons.js';
import {
  Coupon,
  CouponIdParams,
  CouponPage,
  CreateCouponBody,
  CreateProductBody,
  DiffQuery,
  ListProductsQuery,
  NewVersionBody,
  PreviewBody,
  PricePreview,
  Product,
  ProductIdParams,
  ProductPage,
  ProductVersion,
  UpdateProductBody,
  VersionContentPatch,
  VersionDiff,
  VersionParams,
} from './schemas.js';

const tags = ['catalog'];

export function catalogRoutes(app: HttpApp, service: CatalogService, coupons: CouponAdmin): void {
  app.post(
    '/api/v1/products',
    {
      config: { action: service.useCases.createProduct.action },
      schema: { tags, summary: 'Create a product (with an empty draft version 1)', body: CreateProductBody, response: responses({ 201: Product }) },
    },
    async (request, reply) => {
      const product = await service.createProduct(request.body, requestContext(request));
      return reply.status(201).header('location', `/api/v1/products/${product.id}`).send(product);
    },
  );

  app.get(
    '/api/v1/products',
    {
      config: { action: service.useCases.listProducts.action },
      schema: {
        tags,
        summary: 'Browse products, newest first',
        description: 'Staff see the whole catalog; tenant members see the products visible to their tenant that have a published version.',
        querystring: ListProductsQuery,
        response: responses({ 200: ProductPage }),
      },
    },
    async (request) => service.listProducts(request.query, requestContext(request)),
  );

  app.get(
    '/api/v1/products/:id',
    { config: { action: service.useCases.getProduct.action }, schema: { tags, summary: 'Get a product', params: ProductIdParams, response: responses({ 200: Product }) } },
    async (request) => service.getProduct(request.params.id, requestContext(request)),
  );

  app.patch(
    '/api/v1/products/:id',
    {
      config: { action: service.useCases.updateProduct.action },
      schema: { tags, summary: 'Change a product’s presentation, visibility or capacity', params: ProductIdParams, body: UpdateProductBody, response: responses({ 200: Product }) },
    },
    async (request) => service.updateProduct(request.params.id, request.body, requestContext(request)),
  );

  app.post(
    '/api/v1/products/:id/archive',
    {
      config: { action: service.useCases.archiveProduct.action },
      schema: { tags, summary: 'Hide a product from the catalog (existing orders keep their version)', params: ProductIdParams, body: EmptyBody, response: responses({ 200: Product }) },
    },
    async (request) => service.setArchived(request.params.id, true, requestContext(request)),
  );

  app.post(
    '/api/v1/products/:id/restore',
    { config: { action: service.useCases.restoreProduct.action }, schema: { tags, summary: 'Show an archived product again', params: ProductIdParams, body: EmptyBody, response: responses({ 200: Product }) } },
    async (request) => service.setArchived(request.params.id, false, requestContext(request)),
  );

  app.get(
    '/api/v1/products/:id/versions',
    {
      config: { action: service.useCases.listVersions.action },
      schema: { tags, summary: 'Versions of a product, newest first (customers never see drafts)', params: ProductIdParams, response: responses({ 200: Type.Array(ProductVersion) }) },
    },
    async (request) => service.listVersions(request.params.id, requestContext(request)),
  );

  app.post(
    '/api/v1/products/:id/versions',
    {
      config: { action: service.useCases.createVersion.action },
      schema: { tags, summary: 'Start a new draft version, copied from another', params: ProductIdParams, body: NewVersionBody, response: responses({ 201: ProductVersion }) },
    },
    async (request, reply) => reply.status(201).send(await service.createVersion(request.params.id, request.body.copyFrom, requestContext(request))),
  );

  app.get(
    '/api/v1/products/:id/versions/diff',
    {
      config: { action: service.useCases.diffVersions.action },
      schema: { tags, summary: 'What changes between two versions, as JSON-pointer operations', params: ProductIdParams, querystring: DiffQuery, response: responses({ 200: VersionDiff }) },
    },
    async (request) => service.diff(request.params.id, request.query.from, request.query.to, requestContext(request)),
  );

  app.get(
    '/api/v1/products/:id/versions/:version',
    { config: { action: service.useCases.getVersion.action }, schema: { tags, summary: 'Get one version', params: VersionParams, response: responses({ 200: ProductVersion }) } },
    async (request) => service.getVersion(request.params.id, request.params.version, requestContext(request)),
  );

  app.patch(
    '/api/v1/products/:id/versions/:version',
    {
      config: { action: service.useCases.updateDraft.action },
      schema: {
        tags,
        summary: 'Change a draft (published versions are immutable: 409)',
        params: VersionParams,
        body: VersionContentPatch,
        response: responses({ 200: ProductVersion }),
      },
    },
    async (request) => service.updateDraft(request.params.id, request.params.version, request.body, requestContext(request)),
  );

  app.delete(
    '/api/v1/products/:id/versions/:version',
    { config: { action: service.useCases.deleteDraft.action }, schema: { tags, summary: 'Discard a draft', params: VersionParams, response: responses({ 204: NoContent }) } },
    async (request, reply) => {
      await service.deleteDraft(request.params.id, request.params.version, requestContext(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/products/:id/versions/:version/publish',
    {
      config: { action: service.useCases.publish.action },
      schema: {
        tags,
        summary: 'Publish a draft; from then on it is immutable and can be ordered',
        description: '422 PLAT_UNPROCESSABLE lists every problem (schema that does not compile, prices, availability) with a JSON pointer into the content.',
        params: VersionParams, body: EmptyBody,
        response: responses({ 200: ProductVersion }),
      },
    },
    async (request) => service.publish(request.params.id, request.params.version, requestContext(request)),
  );

  app.post(
    '/api/v1/products/:id/versions/:version/retire',
    {
      config: { action: service.useCases.retire.action },
      schema: { tags, summary: 'Retire a published version: no new orders, existing ones unchanged', params: VersionParams, body: EmptyBody, response: responses({ 200: ProductVersion }) },
    },
    async (request) => service.retire(request.params.id, request.params.version, requestContext(request)),
  );

  app.post(
    '/api/v1/prices/preview',
    {
      config: { action: service.useCases.preview.action },
      schema: {
        tags,
        summary: 'Exact line totals for a plan, quantity, currency, configuration and coupon',
        description:
          'Each line is computed exactly and rounded once, half-up, to the currency’s minor unit; amounts travel as strings. A currency the plan does not price is 422 (prices are never converted); so is a configuration that violates the version’s schema (each error with a JSON pointer).',
        body: PreviewBody,
        response: responses({ 200: PricePreview }),
      },
    },
    async (request) => service.preview(request.body, requestContext(request)),
  );

  app.post(
    '/api/v1/coupons',
    { config: { action: coupons.useCases.create.action }, schema: { tags, summary: 'Create a coupon', body: CreateCouponBody, response: responses({ 201: Coupon }) } },
    async (request, reply) => reply.status(201).send(await coupons.createCoupon(request.body, requestContext(request))),
  );

  app.get(
    '/api/v1/coupons',
    { config: { action: coupons.useCases.list.action }, schema: { tags, summary: 'Coupons, newest first', querystring: StrictObject(PageQuery), response: responses({ 200: CouponPage }) } },
    async (request) => coupons.listCoupons(request.query, requestContext(request)),
  );

  app.get(
    '/api/v1/coupons/:id',
    { config: { action: coupons.useCases.get.action }, schema: { tags, summary: 'Get a coupon', params: CouponIdParams, response: responses({ 200: Coupon }) } },
    async (request) => coupons.getCoupon(request.params.id, requestContext(request)),
  );

  app.post(
    '/api/v1/coupons/:id/archive',
    {
      config: { action: coupons.useCases.archive.action },
      schema: { tags, summary: 'Stop offering a coupon (redemptions already made stay)', params: CouponIdParams, body: EmptyBody, response: responses({ 200: Coupon }) },
    },
    async (request) => coupons.archiveCoupon(request.params.id, requestContext(request)),
  );
}
