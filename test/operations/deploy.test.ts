import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config/config.js';
import { root } from '../helpers/processes.js';
import { createTestApp, type TestApp, testDialect } from '../helpers/test-context.js';

const deploy = path.join(root, 'deploy');
const read = (file: string) => readFileSync(path.join(deploy, file), 'utf8');

type Manifest = {
  kind: string;
  metadata: { name: string };
  // Parsed YAML is walked by known paths; a wrong path fails the assertion that reads it.
  // biome-ignore lint/suspicious/noExplicitAny: untyped parsed YAML
  spec?: Record<string, any>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
};

function manifests(): Manifest[] {
  return readdirSync(path.join(deploy, 'kubernetes'))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) =>
      parseAllDocuments(read(`kubernetes/${f}`)).map((doc) => {
        expect(doc.errors, f).toEqual([]);
        return doc.toJS() as Manifest;
      }),
    );
}

// Static checks of the deployment files: no Docker engine or cluster runs here.
describe.skipIf(testDialect !== 'sqlite')('deployment files', () => {
  it('Dockerfile: multi-stage, non-root runtime with a healthcheck and a JSON-form CMD', () => {
    const dockerfile = DockerfileParser.parse(read('Dockerfile'));
    const stages = dockerfile.getFROMs().map((f) => f.getBuildStage());
    expect(stages).toEqual(['build', 'runtime']);
    for (const instruction of dockerfile.getInstructions()) {
      const from = instruction.getArguments().find((a) => a.getValue().startsWith('--from='));
      if (from) expect(stages).toContain(from.getValue().slice('--from='.length));
    }
    const runtime = dockerfile
      .getInstructions()
      .slice(dockerfile.getInstructions().indexOf(dockerfile.getFROMs()[1]!));
    const user = runtime.filter((i) => i.getKeyword() === 'USER').map((i) => i.getArgumentsContent());
    expect(user).toEqual(['node']);
    expect(dockerfile.getHEALTHCHECKs()).toHaveLength(1);
    expect(JSON.parse(dockerfile.getCMDs()[0]!.getArgumentsContent()!)).toEqual([
      'node',
      'dist/main.js',
      'start',
    ]);
    // Every instruction keyword is a real one (a typo fails here, as it would in `docker build`).
    const known = new Set([
      'FROM',
      'RUN',
      'CMD',
      'LABEL',
      'EXPOSE',
      'ENV',
      'ADD',
      'COPY',
      'ENTRYPOINT',
      'VOLUME',
      'USER',
      'WORKDIR',
      'ARG',
      'ONBUILD',
      'STOPSIGNAL',
      'HEALTHCHECK',
      'SHELL',
    ]);
    for (const i of dockerfile.getInstructions())
      expect(known.has(i.getKeyword()), i.getKeyword()).toBe(true);
  });

  it('compose.yaml: nginx, two app nodes, a worker, PostgreSQL and Redis with volumes and healthchecks', () => {
    const compose = parseYaml(read('compose.yaml'), { merge: true }) as {
      // biome-ignore lint/suspicious/noExplicitAny: untyped parsed YAML
      services: Record<string, any>;
      volumes: Record<string, unknown>;
    };
    const { services } = compose;
    expect(Object.keys(services).sort()).toEqual([
      'app1',
      'app2',
      'migrate',
      'nginx',
      'postgres',
      'redis',
      'worker',
    ]);
    expect(services.app1.command).toEqual(['node', 'dist/main.js', 'start', '--no-worker']);
    expect(services.worker.command).toEqual(['node', 'dist/main.js', 'worker']);
    for (const name of ['nginx', 'postgres', 'redis', 'worker'])
      expect(services[name].healthcheck, name).toBeDefined();
    expect(services.app1.environment.REDIS_URL).toMatch(/^redis:\/\/redis:/);
    // Exactly the nginx hop is trusted, so a client cannot choose its own address.
    // The worker is probed over HTTP on the port it serves its probes on.
    const workerPort = services.worker.environment.STRATUS_WORKER_METRICS_PORT;
    expect(workerPort).toMatch(/^\d+$/);
    const probe = services.worker.healthcheck.test.join(' ');
    expect(probe).toContain(`http://127.0.0.1:${workerPort}/health/live`);
    expect(probe).not.toContain('process.exit(0)"');
    const { STRATUS_TRUST_PROXY, STRATUS_BACKUP_SCHEDULED } = services.worker.environment;
    expect(loadConfig({ STRATUS_TRUST_PROXY }).http.trustProxy).toBe(1);
    // No cron here: the worker's backups.scheduled job takes the nightly backup into the volume.
    expect(services.worker.environment.STRATUS_BACKUP_TARGET).toBe('/backups');
    expect(loadConfig({ STRATUS_BACKUP_SCHEDULED }).backup.scheduled).toBe(true);
    expect(services.app1.depends_on.migrate.condition).toBe('service_completed_successfully');
    for (const mount of [
      ...services.postgres.volumes,
      ...services.redis.volumes,
      ...services.worker.volumes,
    ]) {
      const named = String(mount).split(':')[0]!;
      expect(Object.keys(compose.volumes)).toContain(named);
    }
    const nginx = read('nginx/nginx.conf');
    expect(nginx).toMatch(/server app1:8080/);
    expect(nginx).toMatch(/server app2:8080/);
    expect(nginx).toMatch(/proxy_next_upstream error timeout http_502 http_503/);
  });

  it('kubernetes/: every kind, probes, resources, and selectors that match', () => {
    const all = manifests();
    const byKind = (kind: string) => all.filter((m) => m.kind === kind);
    for (const kind of [
      'Deployment',
      'Service',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'ConfigMap',
      'Secret',
      'CronJob',
      'Job',
    ])
      expect(byKind(kind).length, kind).toBeGreaterThan(0);
    const api = byKind('Deployment').find((d) => d.metadata.name === 'stratus-api')!;
    const pod = api.spec!.template;
    expect(api.spec!.selector.matchLabels).toEqual(pod.metadata.labels);
    const container = pod.spec.containers[0];
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
    expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
    // The worker: an HTTP liveness probe on the port STRATUS_WORKER_METRICS_PORT opens, and scraped there.
    const worker = byKind('Deployment').find((d) => d.metadata.name === 'stratus-worker')!.spec!.template;
    const workerContainer = worker.spec.containers[0];
    const port = workerContainer.env.find(
      (e: { name: string }) => e.name === 'STRATUS_WORKER_METRICS_PORT',
    ).value;
    const named = workerContainer.ports.find((p: { name: string }) => p.name === 'metrics');
    expect(String(named.containerPort)).toBe(port);
    for (const probe of [workerContainer.livenessProbe, workerContainer.startupProbe])
      expect(probe.httpGet).toEqual({ path: '/health/live', port: 'metrics' });
    expect(worker.metadata.annotations['prometheus.io/port']).toBe(port);
    const service = byKind('Service')[0]!;
    expect(service.spec!.selector).toEqual(pod.metadata.labels);
    const hpa = byKind('HorizontalPodAutoscaler')[0]!;
    expect(hpa.spec!.scaleTargetRef.name).toBe('stratus-api');
    expect(hpa.spec!.minReplicas).toBeGreaterThanOrEqual(2);
    expect(byKind('PodDisruptionBudget')[0]!.spec!.selector.matchLabels).toEqual(pod.metadata.labels);
    const job = byKind('Job')[0]!;
    expect(job.spec!.template.spec.containers[0].args).toEqual(['node', 'dist/main.js', 'migrate', 'up']);
    expect(JSON.stringify(byKind('CronJob')[0]!.spec)).toContain('backup run');
    // The grace period covers the drain delay and the shutdown grace.
    const config = byKind('ConfigMap')[0]!.data!;
    const needed = (Number(config.STRATUS_DRAIN_DELAY_MS) + Number(config.STRATUS_SHUTDOWN_GRACE_MS)) / 1000;
    expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThan(needed);
  });

  it('the ConfigMap and Secret examples are a configuration Stratus accepts', () => {
    const all = manifests();
    const env = {
      ...all.find((m) => m.kind === 'ConfigMap')!.data,
      ...all.find((m) => m.kind === 'Secret')!.stringData,
    };
    const config = loadConfig(env);
    expect(config.database).toMatchObject({ kind: 'postgres', replicaUrl: env.DATABASE_REPLICA_URL });
    expect(config.backup.target).toBe('s3://stratus-backups/prod');
    expect(config.drainDelayMs).toBe(5000);
    expect(config.inProcessWorker).toBe(false);
    expect(config.http.trustProxy).toBe(1);
    // One backup mechanism: the CronJob runs it, the worker's scheduled job stands down.
    expect(config.backup.scheduled).toBe(false);
    const cron = all.find((m) => m.kind === 'CronJob' && m.metadata.name === 'stratus-backup')!;
    expect(JSON.stringify(cron.spec)).toContain('backup run');
  });
});

describe.skipIf(testDialect !== 'sqlite')('grafana dashboard', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('only charts metric families that /metrics exposes', async () => {
    await t.app.inject({ url: '/health/live' });
    const scrape = (await t.app.inject({ url: '/metrics' })).body;
    const families = new Set([...scrape.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    const dashboard = JSON.parse(read('grafana/stratus.json')) as {
      panels: { targets: { expr: string }[] }[];
    };
    const used = new Set(
      dashboard.panels.flatMap((p) =>
        p.targets.flatMap((x) =>
          [...x.expr.matchAll(/\b((?:stratus|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1]!),
        ),
      ),
    );
    expect(used.size).toBeGreaterThan(15);
    const missing = [...used].filter(
      (name) => !families.has(name) && !families.has(name.replace(/_(bucket|sum|count)$/, '')),
    );
    expect(missing).toEqual([]);
  });
});
