// Probes: synthetic writes that exercise a node's write path and the outbox end to end, for drain and
// failover drills and black-box monitoring; the scale-out test drives its load through them.
import { subscribers } from '../../platform/events/subscribers.js';
import type { StratusModule } from '../index.js';
import { probesRoutes } from './probes.routes.js';
import { markDelivered } from './probes.service.js';

export { createProbe, getProbe } from './probes.service.js';

subscribers.register({
  name: 'probes.delivered',
  topics: ['probe.created'],
  handle: (event, { db }) => markDelivered(db, String(event.payload.probe_id)),
});

export const probesModule: StratusModule = { name: 'probes', routes: probesRoutes };
