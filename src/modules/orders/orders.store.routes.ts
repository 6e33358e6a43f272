import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { fieldCrypto } from '../../platform/crypto/field-crypto.js';
import type { AppContext } from '../../platform/http/context.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import { Page, PageQuery } from '../../platform/http/pagination.js';
import { OrderErrors } from './orders.errors.js';
import { listOrders } from './orders.list.js';
import { OrderParams, OrderSchema } from './orders.schemas.js';
import { getOrder } from './orders.service.js';

function customerId(request: FastifyRequest): string {
  const principal = request.principal;
  if (principal?.kind !== 'customer')
    throw new AppError(PlatformErrors.FORBIDDEN, 'Only a signed-in customer may call this');
  return principal.id;
}

/**
 * The signed-in customer's order history: only orders placed from a cart that belonged to them
 * (signed in when the cart was created). Guest orders with the same email are not shown: typing an
 * email at a guest checkout proves nothing about who owns it.
 */
export const storeOrderRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { db: ctx.db, crypto: await fieldCrypto(ctx.db, ctx.secrets) };
  const me = { permission: 'authenticated' } as const;
  const tags = ['customers'];

  app.get(
    '/store/customers/me/orders',
    {
      schema: {
        tags,
        summary: 'The signed-in customer’s orders, newest first',
        querystring: PageQuery,
        response: { 200: Page(OrderSchema) },
      },
      config: me,
    },
    async (request) =>
      listOrders(deps, {
        limit: request.query.limit ?? 20,
        cursor: request.query.cursor,
        customer_id: customerId(request),
      }),
  );

  app.get(
    '/store/customers/me/orders/:id',
    {
      schema: {
        tags,
        summary: 'One of the signed-in customer’s orders (404 for anyone else’s)',
        params: OrderParams,
        response: { 200: OrderSchema },
      },
      config: me,
    },
    async (request) => {
      const owner = customerId(request);
      const order = await getOrder(deps, request.params.id).catch((error: unknown) => {
        if (error instanceof AppError) return null;
        throw error;
      });
      // Someone else's order answers exactly like a missing one.
      if (order?.customer_id !== owner)
        throw new AppError(OrderErrors.ORDER_NOT_FOUND, `Order ${request.params.id} not found`);
      return order;
    },
  );
};
