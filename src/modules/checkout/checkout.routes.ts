import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { fieldCrypto } from '../../platform/crypto/field-crypto.js';
import type { AppContext } from '../../platform/http/context.js';
import { CartParams, CompleteBody } from '../cart/cart.schemas.js';
import { cartCaller } from '../cart/index.js';
import { OrderSchema } from '../orders/orders.schemas.js';
import { paymentProvidersFor } from '../payments/index.js';
import { completeCart } from './checkout.service.js';

export const checkoutRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  // One key ring per app, loaded at start: a completion never reads the keys.
  const crypto = await fieldCrypto(ctx.db, ctx.secrets);
  app.post(
    '/store/carts/:id/complete',
    {
      schema: {
        params: CartParams,
        body: CompleteBody,
        response: { 200: Type.Object({ order: OrderSchema }) },
      },
      // A bare POST (no body) is the common case: treat it as {}.
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
    },
    async (request) => {
      const result = await completeCart(
        {
          db: ctx.db,
          cache: ctx.cache,
          providers: paymentProvidersFor(ctx),
          crypto,
          caller: cartCaller(ctx, request),
        },
        request.params.id,
        request.body?.payment ?? {},
      );
      ctx.pokeOutbox();
      return { order: result.order };
    },
  );
};
