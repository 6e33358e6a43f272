import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, root, waitFor } from '../helpers/processes.js';
import { testDialect } from '../helpers/test-context.js';

const dockerfile = DockerfileParser.parse(readFileSync(path.join(root, 'deploy/Dockerfile'), 'utf8'));
const runtimeStart = dockerfile.getInstructions().indexOf(dockerfile.getFROMs()[1]!);
const runtime = dockerfile.getInstructions().slice(runtimeStart);

/** The runtime stage's ENV as a map (the process gets exactly these, as in the container). */
function imageEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of runtime.filter((i) => i.getKeyword() === 'ENV')) {
    for (const property of (
      instruction as unknown as { getProperties(): { getName(): string; getValue(): string }[] }
    ).getProperties())
      env[property.getName()] = property.getValue();
  }
  return env;
}

function jsonForm(content: string): string[] {
  return JSON.parse(content.slice(content.indexOf('['))) as string[];
}

// No Docker engine here: run what the image runs, as processes, from a fresh `npm run build`.
describe.skipIf(testDialect !== 'sqlite')('image commands as processes', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'stratus-image-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('builds, starts with the image CMD and ENV, passes the HEALTHCHECK, and stops on SIGTERM', async () => {
    const build = dockerfile
      .getInstructions()
      .find((i) => i.getKeyword() === 'RUN' && i.getArgumentsContent() === 'npm run build');
    expect(build).toBeDefined();
    const built = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
    expect(built.status, built.stdout + built.stderr).toBe(0);

    const [command, ...args] = jsonForm(dockerfile.getCMDs()[0]!.getArgumentsContent()!);
    const port = freePort();
    const env: Record<string, string> = {
      ...imageEnv(),
      PATH: process.env.PATH!,
      PORT: String(port),
      STRATUS_DATA_DIR: dataDir,
      STRATUS_DRAIN_DELAY_MS: '200',
    };
    expect(env.NODE_ENV).toBe('production');
    const server = spawn(command === 'node' ? process.execPath : command!, args, {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    server.stdout.on('data', (c: Buffer) => (output += c));
    server.stderr.on('data', (c: Buffer) => (output += c));
    const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
    try {
      const [check, ...checkArgs] = jsonForm(dockerfile.getHEALTHCHECKs()[0]!.getArgumentsContent()!);
      const healthy = () =>
        spawnSync(check === 'node' ? process.execPath : check!, checkArgs, { env }).status;
      await waitFor('HEALTHCHECK passes', async () => healthy() === 0 || undefined, 30_000);
      server.kill('SIGTERM');
      expect(await exited, output).toBe(0);
      expect(healthy()).toBe(1);
    } finally {
      server.kill('SIGKILL');
    }
  });
});
