import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../platform/http/context.js';
import { Page, PageQuery } from '../../platform/http/pagination.js';
import { requireKind } from '../identity/http.js';
import { getCustomerOrder, listCustomerOrders } from './orders.customer.js';
import { OrderParams, OrderSchema } from './orders.schemas.js';

const CustomerOrder = Type.Omit(OrderSchema, ['allocations']);
const tags = ['orders'];

/** The signed-in customer's order history (their own orders only). */
export const storeOrdersRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const me = { permission: 'authenticated' } as const;
  app.get(
    '/store/customers/me/orders',
    {
      schema: {
        tags,
        summary: 'Your orders, newest first',
        querystring: PageQuery,
        response: { 200: Page(CustomerOrder) },
      },
      config: me,
    },
    async (request) =>
      listCustomerOrders(ctx.db, requireKind(request, 'customer').id, {
        limit: request.query.limit ?? 20,
        cursor: request.query.cursor,
      }),
  );
  app.get(
    '/store/customers/me/orders/:id',
    {
      schema: { tags, summary: 'One of your orders', params: OrderParams, response: { 200: CustomerOrder } },
      config: me,
    },
    async (request) => getCustomerOrder(ctx.db, requireKind(request, 'customer').id, request.params.id),
  );
};
