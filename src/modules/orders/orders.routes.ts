import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { fieldCrypto } from '../../platform/crypto/field-crypto.js';
import type { AppContext } from '../../platform/http/context.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import { Page, PageQuery } from '../../platform/http/pagination.js';
import { paymentProvidersFor } from '../payments/index.js';
import { CourierProvider, fulfillmentProvidersFor } from '../shipping/index.js';
import { dispatchFulfillments, retryBooking } from './fulfillment-booking.js';
import { listOrders } from './orders.list.js';
import {
  applyCourierCallback,
  cancelOrder,
  createFulfillments,
  deliverFulfillment,
  markPaid,
  pickList,
  providerFor,
  receiveReturn,
  requestReturn,
  shipFulfillment,
} from './orders.operations.js';
import { refundOrder } from './orders.refunds.js';
import { OrderParams, OrderSchema } from './orders.schemas.js';
import { addNote, getOrder, timeline } from './orders.service.js';
import type { FulfillmentState, OrderStatus, PaymentState } from './orders.tables.js';

const Items = Type.Array(
  Type.Object(
    {
      line_item_id: Type.String({ maxLength: 64 }),
      quantity: Type.Integer({ minimum: 0, maximum: 100_000 }),
    },
    { additionalProperties: false },
  ),
  { minItems: 1, maxItems: 500 },
);
const FulfillmentParams = Type.Object({
  id: Type.String({ pattern: '^ord_[0-9A-Z]{26}$' }),
  fulfillment_id: Type.String({ pattern: '^ful_[0-9A-Z]{26}$' }),
});
const ReturnParams = Type.Object({
  id: Type.String({ pattern: '^ord_[0-9A-Z]{26}$' }),
  return_id: Type.String({ pattern: '^ret_[0-9A-Z]{26}$' }),
});
const Reply = { response: { 200: OrderSchema } };
const Enum = (values: string[]) => Type.Optional(Type.Union(values.map((v) => Type.Literal(v))));
/** The order list's filters (the admin app's order screen); all optional, combined with AND. */
const OrderFilters = Type.Object({
  status: Enum([
    'pending',
    'paid',
    'partially_fulfilled',
    'fulfilled',
    'shipped',
    'delivered',
    'canceled',
    'partially_refunded',
    'refunded',
  ]),
  payment_status: Enum(['awaiting', 'authorized', 'captured', 'partially_refunded', 'refunded', 'canceled']),
  fulfillment_status: Enum(['not_fulfilled', 'partially_fulfilled', 'fulfilled', 'shipped', 'delivered']),
  created_from: Type.Optional(Type.String({ format: 'date-time', description: 'Placed at or after' })),
  created_to: Type.Optional(Type.String({ format: 'date-time', description: 'Placed before' })),
  q: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 320,
      description: 'An order number (#1001 or 1001) or the exact email',
    }),
  ),
});

export const ordersRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  // One key ring per app, loaded at start: requests never read the keys.
  const crypto = await fieldCrypto(ctx.db, ctx.secrets);
  const ops = () => ({
    db: ctx.db,
    crypto,
    providers: paymentProvidersFor(ctx),
    fulfillment: fulfillmentProvidersFor(ctx),
  });
  const actor = (request: { principal: { id: string } | null }) => request.principal?.id ?? 'system';
  const read = { permission: 'orders:read' };
  const write = { permission: 'orders:write' };
  const done = <T>(value: T) => {
    ctx.pokeOutbox();
    return value;
  };

  app.get(
    '/admin/orders',
    {
      schema: {
        querystring: Type.Intersect([
          PageQuery,
          OrderFilters,
          Type.Object({
            email: Type.Optional(
              Type.String({
                minLength: 3,
                maxLength: 320,
                description: 'Exact email (any case), found through its blind index',
              }),
            ),
          }),
        ]),
        response: { 200: Page(OrderSchema) },
      },
      config: read,
    },
    async (request) => {
      const { limit = 20, status, payment_status, fulfillment_status, ...rest } = request.query;
      return listOrders(
        { db: ctx.db, crypto },
        {
          ...rest,
          limit,
          status: status as OrderStatus | undefined,
          payment_status: payment_status as PaymentState | undefined,
          fulfillment_status: fulfillment_status as FulfillmentState | undefined,
        },
      );
    },
  );
  app.get('/admin/orders/:id', { schema: { params: OrderParams, ...Reply }, config: read }, async (request) =>
    getOrder({ db: ctx.db, crypto }, request.params.id),
  );
  app.get(
    '/admin/orders/:id/timeline',
    {
      schema: {
        params: OrderParams,
        response: {
          200: Type.Object({
            data: Type.Array(
              Type.Object({
                id: Type.String(),
                kind: Type.String(),
                message: Type.String(),
                actor: Type.String(),
                data: Type.Record(Type.String(), Type.Unknown()),
                created_at: Type.String(),
              }),
            ),
          }),
        },
      },
      config: read,
    },
    async (request) => ({ data: await timeline({ db: ctx.db, crypto }, request.params.id) }),
  );
  app.get(
    '/admin/orders/:id/fulfillments',
    {
      schema: {
        params: OrderParams,
        response: {
          200: Type.Object({
            data: Type.Array(
              Type.Object({
                id: Type.String(),
                location_id: Type.String(),
                provider: Type.String(),
                status: Type.String(),
                items: Type.Array(
                  Type.Object({
                    line_item_id: Type.String(),
                    variant_id: Type.String(),
                    quantity: Type.Integer(),
                  }),
                ),
                carrier: Type.Union([Type.String(), Type.Null()]),
                tracking_number: Type.Union([Type.String(), Type.Null()]),
                shipped_at: Type.Union([Type.String(), Type.Null()]),
                delivered_at: Type.Union([Type.String(), Type.Null()]),
                created_at: Type.String(),
              }),
            ),
          }),
        },
      },
      config: read,
    },
    async (request) => {
      await getOrder({ db: ctx.db, crypto }, request.params.id);
      const rows = await ctx.db
        .selectFrom('fulfillments')
        .selectAll()
        .where('order_id', '=', request.params.id)
        .orderBy('id')
        .execute();
      return {
        data: rows.map((f) => ({
          id: f.id,
          location_id: f.location_id,
          provider: f.provider,
          status: f.status,
          items: JSON.parse(f.items) as { line_item_id: string; variant_id: string; quantity: number }[],
          carrier: f.carrier,
          tracking_number: f.tracking_number,
          shipped_at: f.shipped_at,
          delivered_at: f.delivered_at,
          created_at: f.created_at,
        })),
      };
    },
  );
  app.get(
    '/admin/orders/:id/returns',
    {
      schema: {
        params: OrderParams,
        response: {
          200: Type.Object({
            data: Type.Array(
              Type.Object({
                id: Type.String(),
                status: Type.String(),
                items: Type.Array(Type.Object({ line_item_id: Type.String(), quantity: Type.Integer() })),
                restocked: Type.Boolean(),
                refund_amount: Type.Integer(),
                reason: Type.Union([Type.String(), Type.Null()]),
                created_at: Type.String(),
                received_at: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
        },
      },
      config: read,
    },
    async (request) => {
      await getOrder({ db: ctx.db, crypto }, request.params.id);
      const rows = await ctx.db
        .selectFrom('order_returns')
        .selectAll()
        .where('order_id', '=', request.params.id)
        .orderBy('id')
        .execute();
      return {
        data: rows.map((r) => ({
          id: r.id,
          status: r.status,
          items: JSON.parse(r.items) as { line_item_id: string; quantity: number }[],
          restocked: r.restock === 1,
          refund_amount: r.refund_amount,
          reason: r.reason,
          created_at: r.created_at,
          received_at: r.received_at,
        })),
      };
    },
  );
  app.post(
    '/admin/orders/:id/mark-paid',
    { schema: { params: OrderParams, ...Reply }, config: write },
    async (request) => done(await markPaid(ops(), request.params.id, actor(request))),
  );
  app.post(
    '/admin/orders/:id/refunds',
    {
      schema: {
        params: OrderParams,
        body: Type.Object(
          {
            amount: Type.Integer({ minimum: 1, description: 'Minor units of the order currency' }),
            reason: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        ...Reply,
      },
      config: { permission: 'payments:write' },
    },
    async (request) => done(await refundOrder(ops(), request.params.id, request.body, actor(request))),
  );
  app.post(
    '/admin/orders/:id/cancel',
    {
      schema: {
        params: OrderParams,
        body: Type.Object(
          { reason: Type.Optional(Type.String({ maxLength: 500 })) },
          { additionalProperties: false },
        ),
        ...Reply,
      },
      config: write,
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
    },
    async (request) => done(await cancelOrder(ops(), request.params.id, actor(request), request.body.reason)),
  );
  app.post(
    '/admin/orders/:id/notes',
    {
      schema: {
        params: OrderParams,
        body: Type.Object(
          { message: Type.String({ minLength: 1, maxLength: 5000 }) },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null() },
      },
      config: write,
    },
    async (request, reply) => {
      await addNote({ db: ctx.db, crypto }, request.params.id, {
        message: request.body.message,
        actor: actor(request),
      });
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/admin/orders/:id/fulfillments',
    {
      schema: {
        params: OrderParams,
        body: Type.Object(
          { location_id: Type.Optional(Type.String({ maxLength: 64 })), items: Type.Optional(Items) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ fulfillment_ids: Type.Array(Type.String()) }) },
      },
      config: write,
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
    },
    async (request, reply) => {
      // The order's shipping option decides the provider; a courier is booked at once.
      const provider = await providerFor(ops(), request.params.id);
      const ids = await createFulfillments(
        ops(),
        request.params.id,
        { provider, ...request.body },
        actor(request),
      );
      await dispatchFulfillments(ops(), request.params.id, ids, actor(request));
      return reply.code(201).send(done({ fulfillment_ids: ids }));
    },
  );
  app.post(
    '/admin/orders/:id/fulfillments/:fulfillment_id/shipments',
    {
      schema: {
        params: FulfillmentParams,
        body: Type.Object(
          {
            carrier: Type.String({ minLength: 1, maxLength: 100 }),
            tracking_number: Type.String({ minLength: 1, maxLength: 100 }),
          },
          { additionalProperties: false },
        ),
        ...Reply,
      },
      config: write,
    },
    async (request) =>
      done(
        await shipFulfillment(
          ops(),
          request.params.id,
          request.params.fulfillment_id,
          request.body,
          actor(request),
        ),
      ),
  );
  // A courier booking that failed (COURIER_UNAVAILABLE) left the fulfillment pending: book it again.
  app.post(
    '/admin/orders/:id/fulfillments/:fulfillment_id/retry-booking',
    { schema: { params: FulfillmentParams, ...Reply }, config: write },
    async (request) =>
      done(await retryBooking(ops(), request.params.id, request.params.fulfillment_id, actor(request))),
  );
  app.post(
    '/admin/orders/:id/fulfillments/:fulfillment_id/deliver',
    { schema: { params: FulfillmentParams, ...Reply }, config: write },
    async (request) =>
      done(await deliverFulfillment(ops(), request.params.id, request.params.fulfillment_id, actor(request))),
  );
  app.post(
    '/admin/orders/:id/returns',
    {
      schema: {
        params: OrderParams,
        body: Type.Object(
          { items: Items, reason: Type.Optional(Type.String({ maxLength: 500 })) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ return_id: Type.String() }) },
      },
      config: write,
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          done({ return_id: await requestReturn(ops(), request.params.id, request.body, actor(request)) }),
        ),
  );
  app.post(
    '/admin/orders/:id/returns/:return_id/receive',
    {
      schema: {
        params: ReturnParams,
        body: Type.Object(
          { restock: Type.Boolean(), refund_amount: Type.Optional(Type.Integer({ minimum: 0 })) },
          { additionalProperties: false },
        ),
        ...Reply,
      },
      config: write,
    },
    async (request) =>
      done(
        await receiveReturn(ops(), request.params.id, request.params.return_id, request.body, actor(request)),
      ),
  );
  app.get(
    '/admin/pick-lists',
    {
      schema: {
        querystring: Type.Object({
          location_id: Type.String({ minLength: 1, maxLength: 64 }),
          order_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        }),
        response: {
          200: Type.Object({
            location_id: Type.String(),
            data: Type.Array(
              Type.Object({
                order_id: Type.String(),
                order_number: Type.Integer(),
                variant_id: Type.String(),
                sku: Type.Union([Type.String(), Type.Null()]),
                title: Type.String(),
                quantity: Type.Integer(),
              }),
            ),
          }),
        },
      },
      config: read,
    },
    async (request) => ({
      location_id: request.query.location_id,
      data: await pickList(
        ctx.db,
        request.query.location_id,
        request.query.order_id ? { orderId: request.query.order_id } : {},
      ),
    }),
  );

  // Courier status callbacks, verified over the exact bytes received.
  await app.register(async (hooks) => {
    hooks.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) =>
      done(null, body),
    );
    hooks.post(
      '/hooks/courier',
      {
        schema: {
          hide: true,
          response: { 200: Type.Object({ received: Type.Boolean(), status: Type.String() }) },
        },
        config: { idempotency: false },
      },
      async (request) => {
        const courier = fulfillmentProvidersFor(ctx).get('courier');
        if (!(courier instanceof CourierProvider))
          throw new AppError(PlatformErrors.NOT_FOUND, 'No courier is configured');
        const callback = courier.parseCallback(String(request.body ?? ''), request.headers);
        const order = await applyCourierCallback(ops(), callback);
        ctx.pokeOutbox();
        return { received: true, status: order.status };
      },
    );
  });
};
