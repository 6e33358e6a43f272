import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
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

/**
 * Lays out a directory as one stage's COPY instructions would: repository paths, or (with --from)
 * paths of an earlier stage's directory. node_modules is linked rather than copied.
 */
function stage(instructions: typeof runtime, into: string, from: Record<string, string> = {}): void {
  for (const instruction of instructions.filter((i) => i.getKeyword() === 'COPY')) {
    const flags = (
      instruction as unknown as { getFlags(): { getName(): string; getValue(): string | null }[] }
    ).getFlags();
    const fromFlag = flags.find((f) => f.getName() === 'from')?.getValue() ?? undefined;
    const paths = instruction.getArguments().map((a) => a.getValue());
    const target = paths.pop()!;
    for (const source of paths) {
      const origin = fromFlag
        ? path.join(from[fromFlag]!, path.relative('/app', source))
        : path.join(root, source);
      const resolved = path.resolve(into, target === './' ? path.basename(source) : target);
      mkdirSync(path.dirname(resolved), { recursive: true });
      if (path.basename(origin) === 'node_modules') symlinkSync(path.join(root, 'node_modules'), resolved);
      else cpSync(origin, resolved, { recursive: true });
    }
  }
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
    // Build in a copy laid out by the build stage's COPY lines (so a source the image forgets to copy
    // fails here), with the build stage's environment: no NODE_ENV.
    const buildStage = dockerfile.getInstructions().slice(0, runtimeStart);
    const buildDir = path.join(dataDir, 'build');
    stage(buildStage, buildDir);
    symlinkSync(path.join(root, 'node_modules'), path.join(buildDir, 'node_modules'));
    const { NODE_ENV: _ignored, ...buildEnv } = process.env;
    const built = spawnSync('npm', ['run', 'build'], { cwd: buildDir, encoding: 'utf8', env: buildEnv });
    expect(built.status, built.stdout + built.stderr).toBe(0);
    const appDir = path.join(dataDir, 'app');
    stage(runtime, appDir, { build: buildDir });

    const [command, ...args] = jsonForm(dockerfile.getCMDs()[0]!.getArgumentsContent()!);
    const port = await freePort();
    const env: Record<string, string> = {
      ...imageEnv(),
      PATH: process.env.PATH!,
      PORT: String(port),
      STRATUS_DATA_DIR: path.join(dataDir, 'data'),
      STRATUS_DRAIN_DELAY_MS: '200',
    };
    expect(env.NODE_ENV).toBe('production');
    const server = spawn(command === 'node' ? process.execPath : command!, args, {
      cwd: appDir,
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
