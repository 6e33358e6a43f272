import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../../platform/http/context.js';
import { Page, PageQuery } from '../../platform/http/pagination.js';
import {
  CreatePromotionBody,
  PromotionParams,
  PromotionSchema,
  UpdatePromotionBody,
} from './discounts.schemas.js';
import {
  createPromotion,
  getPromotion,
  invalidatePromotions,
  listPromotions,
  updatePromotion,
} from './discounts.service.js';

export const discountsRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/admin/promotions',
    {
      schema: { body: CreatePromotionBody, response: { 201: PromotionSchema } },
      config: { permission: 'discounts:write' },
    },
    async (request, reply) => {
      const promotion = await createPromotion(ctx.db, request.body);
      await invalidatePromotions(ctx.cache);
      return reply.code(201).send(promotion);
    },
  );
  app.get(
    '/admin/promotions',
    {
      schema: { querystring: PageQuery, response: { 200: Page(PromotionSchema) } },
      config: { permission: 'discounts:read' },
    },
    async (request) => listPromotions(ctx.db, request.query),
  );
  app.get(
    '/admin/promotions/:id',
    {
      schema: { params: PromotionParams, response: { 200: PromotionSchema } },
      config: { permission: 'discounts:read' },
    },
    async (request) => getPromotion(ctx.db, request.params.id),
  );
  app.patch(
    '/admin/promotions/:id',
    {
      schema: { params: PromotionParams, body: UpdatePromotionBody, response: { 200: PromotionSchema } },
      config: { permission: 'discounts:write' },
    },
    async (request) => {
      const promotion = await updatePromotion(ctx.db, request.params.id, request.body);
      await invalidatePromotions(ctx.cache);
      return promotion;
    },
  );
};
