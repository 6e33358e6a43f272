import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../platform/http/context.js';
import { CreateShippingOptionBody, ShippingOptionSchema } from './shipping.schemas.js';
import { createShippingOption, invalidateShippingOptions, listShippingOptions } from './shipping.service.js';

export const shippingRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/admin/shipping-options',
    {
      schema: { body: CreateShippingOptionBody, response: { 201: ShippingOptionSchema } },
      config: { permission: 'shipping:write' },
    },
    async (request, reply) => {
      const option = await createShippingOption(ctx.db, request.body);
      await invalidateShippingOptions(ctx.cache);
      return reply.code(201).send(option);
    },
  );
  app.get(
    '/admin/shipping-options',
    {
      schema: {
        querystring: Type.Object({ region_id: Type.Optional(Type.String({ maxLength: 64 })) }),
        response: { 200: Type.Object({ data: Type.Array(ShippingOptionSchema) }) },
      },
      config: { permission: 'shipping:read' },
    },
    async (request) => ({ data: await listShippingOptions(ctx.db, request.query.region_id) }),
  );
};
