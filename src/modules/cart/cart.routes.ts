import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../platform/http/context.js';
import { initiatePayment, paymentProvidersFor } from '../payments/index.js';
import { optionsForCart } from '../shipping/index.js';
import { PricedShippingOption } from '../shipping/shipping.schemas.js';
import {
  AddLineBody,
  CartParams,
  CartSchema,
  CodeParams,
  CreateCartBody,
  DiscountBody,
  LineParams,
  PaymentSessionBody,
  UpdateCartBody,
  UpdateLineBody,
} from './cart.schemas.js';
import {
  addDiscountCode,
  addLineItem,
  type Cart,
  cartView,
  createCart,
  loadCart,
  priceCart,
  removeDiscountCode,
  removeLineItem,
  updateCart,
  updateLineItem,
} from './cart.service.js';

export const cartRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { db: ctx.db, cache: ctx.cache };
  const view = async (cart: Cart) => cartView(await priceCart(deps, cart));
  const one = { response: { 200: CartSchema } };

  app.post(
    '/store/carts',
    { schema: { body: CreateCartBody, response: { 201: CartSchema } } },
    async (request, reply) => {
      // A signed-in customer's new cart is theirs (customer-group discounts, merge on the next login).
      // Only requests carrying credentials pay for the session lookup.
      const principal =
        request.headers.authorization || request.headers.cookie ? await ctx.auth.authenticate(request) : null;
      const customer_id = principal?.kind === 'customer' ? principal.id : null;
      return reply.code(201).send(await view(await createCart(deps, { ...request.body, customer_id })));
    },
  );
  app.get('/store/carts/:id', { schema: { params: CartParams, ...one } }, async (request) =>
    view(await loadCart(ctx.db, request.params.id)),
  );
  app.patch(
    '/store/carts/:id',
    { schema: { params: CartParams, body: UpdateCartBody, ...one } },
    async (request) => view(await updateCart(deps, request.params.id, request.body)),
  );
  app.post(
    '/store/carts/:id/line-items',
    { schema: { params: CartParams, body: AddLineBody, ...one } },
    async (request) => view(await addLineItem(deps, request.params.id, request.body)),
  );
  app.patch(
    '/store/carts/:id/line-items/:line_id',
    { schema: { params: LineParams, body: UpdateLineBody, ...one } },
    async (request) =>
      view(await updateLineItem(deps, request.params.id, request.params.line_id, request.body.quantity)),
  );
  app.delete(
    '/store/carts/:id/line-items/:line_id',
    { schema: { params: LineParams, ...one } },
    async (request) => view(await removeLineItem(deps, request.params.id, request.params.line_id)),
  );
  app.post(
    '/store/carts/:id/discounts',
    { schema: { params: CartParams, body: DiscountBody, ...one } },
    async (request) => view(await addDiscountCode(deps, request.params.id, request.body.code)),
  );
  app.delete(
    '/store/carts/:id/discounts/:code',
    { schema: { params: CodeParams, ...one } },
    async (request) => view(await removeDiscountCode(deps, request.params.id, request.params.code)),
  );
  app.get(
    '/store/carts/:id/shipping-options',
    {
      schema: {
        params: CartParams,
        response: { 200: Type.Object({ data: Type.Array(PricedShippingOption) }) },
      },
    },
    async (request) => {
      const cart = await loadCart(ctx.db, request.params.id);
      const subtotal = cart.items.reduce((s, i) => s + i.unit_price * i.quantity, 0);
      const weight_grams = cart.items.reduce((s, i) => s + i.weight_grams * i.quantity, 0);
      return { data: await optionsForCart(ctx.db, { region_id: cart.region_id, subtotal, weight_grams }) };
    },
  );
  // Opens a payment with the provider for the cart's current total; the storefront finishes it with
  // the provider (Stripe.js with client_secret, PayPal approve_url) and then completes the cart.
  app.post(
    '/store/carts/:id/payment-sessions',
    {
      schema: {
        params: CartParams,
        body: PaymentSessionBody,
        response: {
          201: Type.Object({
            payment_id: Type.String(),
            provider: Type.String(),
            amount: Type.Integer(),
            client_data: Type.Record(Type.String(), Type.Unknown()),
          }),
        },
      },
    },
    async (request, reply) => {
      const priced = await priceCart(deps, await loadCart(ctx.db, request.params.id));
      const { payment, client_data } = await initiatePayment(ctx.db, paymentProvidersFor(ctx), {
        reference_type: 'cart',
        reference_id: priced.cart.id,
        provider: request.body.provider,
        method: request.body.method ?? null,
        amount: priced.totals.total,
        currency_code: priced.cart.currency_code,
        capture_mode: request.body.capture_mode,
      });
      return reply
        .code(201)
        .send({ payment_id: payment.id, provider: payment.provider, amount: payment.amount, client_data });
    },
  );
};
