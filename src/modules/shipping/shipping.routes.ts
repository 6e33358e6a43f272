import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../platform/http/context.js';
import { actorFrom } from '../identity/index.js';
import {
  CreateShippingOptionBody,
  ShippingOptionParams,
  ShippingOptionSchema,
  UpdateShippingOptionBody,
} from './shipping.schemas.js';
import {
  createShippingOption,
  deleteShippingOption,
  getShippingOption,
  invalidateShippingOptions,
  listShippingOptions,
  updateShippingOption,
} from './shipping.service.js';

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
    // Staff see a region's inactive options too, to edit or switch them back on.
    async (request) => ({
      data: await listShippingOptions(ctx.db, request.query.region_id, { includeInactive: true }),
    }),
  );
  app.get(
    '/admin/shipping-options/:id',
    {
      schema: { params: ShippingOptionParams, response: { 200: ShippingOptionSchema } },
      config: { permission: 'shipping:read' },
    },
    (request) => getShippingOption(ctx.db, request.params.id),
  );
  app.patch(
    '/admin/shipping-options/:id',
    {
      schema: {
        params: ShippingOptionParams,
        body: UpdateShippingOptionBody,
        response: { 200: ShippingOptionSchema },
      },
      config: { permission: 'shipping:write', audited: true },
    },
    async (request) => {
      const option = await updateShippingOption(ctx.db, request.params.id, request.body, actorFrom(request));
      await invalidateShippingOptions(ctx.cache);
      ctx.pokeOutbox();
      return option;
    },
  );
  app.delete(
    '/admin/shipping-options/:id',
    {
      schema: {
        params: ShippingOptionParams,
        response: { 200: Type.Object({ id: Type.String(), deleted: Type.Boolean() }) },
      },
      config: { permission: 'shipping:write', audited: true },
    },
    async (request) => {
      await deleteShippingOption(ctx.db, request.params.id, actorFrom(request));
      await invalidateShippingOptions(ctx.cache);
      ctx.pokeOutbox();
      return { id: request.params.id, deleted: true };
    },
  );
};
