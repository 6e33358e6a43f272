// The baseline: a bare Fastify route, measured in the same run as every scenario.
import Fastify from 'fastify';
import { answerStats } from './stats.js';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
answerStats();
process.send?.({ ready: address });
