import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../platform/http/context.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import { MANUAL_METHODS } from './manual.provider.js';
import { CaptureQuery, PaymentParams, PaymentSchema, RefundBody, WebhookAck } from './payments.schemas.js';
import {
  cancelPayment,
  capturePayment,
  getPaymentRow,
  refundPayment,
  toPayment,
} from './payments.service.js';
import { receiveWebhook } from './payments.webhooks.js';
import { paymentProvidersFor } from './providers.js';

export const paymentsRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const providers = () => paymentProvidersFor(ctx);

  // What the storefront may offer at checkout: public identifiers only (never secrets).
  const publicInfo = (id: string) => {
    if (id === 'manual') return { id, methods: [...MANUAL_METHODS] };
    if (id === 'stripe') {
      return {
        id,
        methods: ['card'],
        ...(process.env.STRIPE_PUBLISHABLE_KEY
          ? { publishable_key: process.env.STRIPE_PUBLISHABLE_KEY }
          : {}),
      };
    }
    if (id === 'paypal')
      return {
        id,
        methods: ['paypal'],
        ...(process.env.PAYPAL_CLIENT_ID ? { client_id: process.env.PAYPAL_CLIENT_ID } : {}),
      };
    return { id, methods: [] };
  };
  const PublicProvider = Type.Object({
    id: Type.String(),
    methods: Type.Array(Type.String()),
    publishable_key: Type.Optional(Type.String()),
    client_id: Type.Optional(Type.String()),
  });

  app.get(
    '/store/payment-providers',
    { schema: { response: { 200: Type.Object({ data: Type.Array(PublicProvider) }) } } },
    async () => ({ data: providers().ids().map(publicInfo) }),
  );

  // The same for the admin app's settings screen, plus the webhook path a merchant enters at the provider.
  app.get(
    '/admin/payment-providers',
    {
      schema: {
        response: {
          200: Type.Object({
            data: Type.Array(
              Type.Object({
                ...PublicProvider.properties,
                webhook_path: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
        },
      },
      config: { permission: 'payments:read' },
    },
    async () => ({
      data: providers()
        .ids()
        .map((id) => ({ ...publicInfo(id), webhook_path: id === 'manual' ? null : `/hooks/${id}` })),
    }),
  );

  app.get(
    '/admin/payments/:id',
    {
      schema: { params: PaymentParams, response: { 200: PaymentSchema } },
      config: { permission: 'payments:read' },
    },
    async (request) => toPayment(await getPaymentRow(ctx.db, request.params.id)),
  );

  // For manual payments this is "mark as paid"; `?amount=` captures less than authorized.
  app.post(
    '/admin/payments/:id/capture',
    {
      schema: { params: PaymentParams, querystring: CaptureQuery, response: { 200: PaymentSchema } },
      config: { permission: 'payments:write' },
    },
    async (request) => {
      const payment = await capturePayment(ctx.db, providers(), request.params.id, request.query.amount);
      ctx.pokeOutbox();
      return payment;
    },
  );

  app.post(
    '/admin/payments/:id/refunds',
    {
      schema: {
        params: PaymentParams,
        body: RefundBody,
        response: { 201: Type.Object({ refund_id: Type.String(), payment: PaymentSchema }) },
      },
      config: { permission: 'payments:write' },
    },
    async (request, reply) => {
      const result = await refundPayment(ctx.db, providers(), request.params.id, request.body);
      ctx.pokeOutbox();
      return reply.code(201).send(result);
    },
  );

  app.post(
    '/admin/payments/:id/cancel',
    {
      schema: { params: PaymentParams, response: { 200: PaymentSchema } },
      config: { permission: 'payments:write' },
    },
    async (request) => {
      const payment = await cancelPayment(ctx.db, providers(), request.params.id);
      ctx.pokeOutbox();
      return payment;
    },
  );

  // Provider hooks verify the signature over the exact bytes received, so they parse JSON themselves.
  await app.register(async (hooks) => {
    hooks.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) =>
      done(null, body),
    );
    for (const provider of ['stripe', 'paypal'] as const) {
      hooks.post(
        `/hooks/${provider}`,
        {
          schema: { hide: true, response: { 200: WebhookAck } },
          config: { idempotency: false },
        },
        async (request) => {
          if (!providers().has(provider)) {
            throw new AppError(PlatformErrors.NOT_FOUND, `Payment provider ${provider} is not configured`);
          }
          if (typeof request.body !== 'string') {
            throw new AppError(PlatformErrors.UNSUPPORTED_MEDIA_TYPE, 'Webhooks must be application/json');
          }
          const { duplicate } = await receiveWebhook(
            ctx.db,
            providers().get(provider),
            request.body,
            request.headers,
          );
          if (!duplicate) ctx.pokeOutbox();
          return { received: true, duplicate };
        },
      );
    }
  });
};
