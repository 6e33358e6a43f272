import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { fieldCrypto } from '../../platform/crypto/field-crypto.js';
import type { AppContext } from '../../platform/http/context.js';
import { requireKind } from '../identity/http.js';
import { initiatePayment, paymentProvidersFor } from '../payments/index.js';
import { optionsForCart } from '../shipping/index.js';
import { PricedShippingOption } from '../shipping/shipping.schemas.js';
import { cartCaller } from './cart.caller.js';
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
  type Deps,
  loadCart,
  priceCart,
  removeDiscountCode,
  removeLineItem,
  updateCart,
  updateLineItem,
} from './cart.service.js';
import { adoptGuestCart } from './cart-merge.js';

export const cartRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  // One key ring per app, loaded at start: requests never read the keys.
  const base = { db: ctx.db, cache: ctx.cache, crypto: await fieldCrypto(ctx.db, ctx.secrets) };
  // Per request: a customer's cart opens only to that customer (guest carts never ask who calls).
  const as = (request: FastifyRequest): Deps => ({ ...base, caller: cartCaller(ctx, request) });
  const view = async (cart: Cart) => cartView(await priceCart(base, cart));
  const one = { response: { 200: CartSchema } };

  app.post(
    '/store/carts',
    { schema: { body: CreateCartBody, response: { 201: CartSchema } } },
    async (request, reply) => {
      // A signed-in customer's cart is theirs: its order shows in their order history. Credentials
      // that do not check out (a cookie without its CSRF token) make a guest cart, as before.
      const customer_id = await cartCaller(ctx, request)();
      return reply.code(201).send(await view(await createCart(base, { ...request.body, customer_id })));
    },
  );
  // A signed-in shopper's cart becomes theirs (joining their open cart, if any), so the order is in
  // their account. Cookie sessions need the CSRF token like every unsafe customer call.
  app.post(
    '/store/carts/:id/customer',
    { schema: { params: CartParams, ...one }, config: { permission: 'authenticated' } },
    async (request) => {
      const customerId = requireKind(request, 'customer').id;
      // Someone else's cart answers 404 here, before anything moves.
      await loadCart(as(request), request.params.id);
      const cartId = await adoptGuestCart(base, request.params.id, customerId);
      return view(await loadCart(as(request), cartId ?? request.params.id));
    },
  );
  app.get('/store/carts/:id', { schema: { params: CartParams, ...one } }, async (request) =>
    view(await loadCart(as(request), request.params.id)),
  );
  app.patch(
    '/store/carts/:id',
    { schema: { params: CartParams, body: UpdateCartBody, ...one } },
    async (request) => view(await updateCart(as(request), request.params.id, request.body)),
  );
  app.post(
    '/store/carts/:id/line-items',
    { schema: { params: CartParams, body: AddLineBody, ...one } },
    async (request) => view(await addLineItem(as(request), request.params.id, request.body)),
  );
  app.patch(
    '/store/carts/:id/line-items/:line_id',
    { schema: { params: LineParams, body: UpdateLineBody, ...one } },
    async (request) =>
      view(
        await updateLineItem(as(request), request.params.id, request.params.line_id, request.body.quantity),
      ),
  );
  app.delete(
    '/store/carts/:id/line-items/:line_id',
    { schema: { params: LineParams, ...one } },
    async (request) => view(await removeLineItem(as(request), request.params.id, request.params.line_id)),
  );
  app.post(
    '/store/carts/:id/discounts',
    { schema: { params: CartParams, body: DiscountBody, ...one } },
    async (request) => view(await addDiscountCode(as(request), request.params.id, request.body.code)),
  );
  app.delete(
    '/store/carts/:id/discounts/:code',
    { schema: { params: CodeParams, ...one } },
    async (request) => view(await removeDiscountCode(as(request), request.params.id, request.params.code)),
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
      const cart = await loadCart(as(request), request.params.id);
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
      const priced = await priceCart(base, await loadCart(as(request), request.params.id));
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
