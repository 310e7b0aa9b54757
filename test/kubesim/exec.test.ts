import { Exec, type V1Status } from '@kubernetes/client-node';
import { PassThrough, Writable } from 'node:stream';
import { startKubeSim, type KubeSim } from '../../kubesim/index.js';
import { waitFor } from './wait-for.js';

let sim: KubeSim;

beforeAll(async () => {
  sim = await startKubeSim({ readyDelayMs: 20 });
  await sim.apply({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image: 'nginx' }] } },
    },
  } as never);
});
afterAll(() => sim.close());

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function podName(): Promise<string> {
  return waitFor(() => {
    const pod = sim.list<{ kind: string; status?: { phase?: string }; metadata?: { name?: string } }>(
      'v1',
      'Pod',
      'default',
      'app=web',
    )[0];
    return pod?.status?.phase === 'Running' ? pod.metadata?.name : undefined;
  }, 'a running pod');
}

interface ExecOutcome {
  stdout: string;
  stderr: string;
  status: V1Status | undefined;
}

async function run(command: string[], input?: string, container = 'main'): Promise<ExecOutcome> {
  const out = collector();
  const err = collector();
  let status: V1Status | undefined;
  const stdin = input === undefined ? null : new PassThrough();
  const ws = await new Exec(sim.kubeConfig()).exec(
    'default',
    await podName(),
    container,
    command,
    out.stream,
    err.stream,
    stdin,
    false,
    (s) => (status = s),
  );
  stdin?.end(input);
  await new Promise((resolve) => ws.on('close', resolve));
  return { stdout: out.text(), stderr: err.text(), status };
}

describe('kubesim exec through client-node Exec', () => {
  it('streams stdout and stderr and reports success', async () => {
    const result = await run(['sh', '-c', 'echo out; echo err >&2']);
    expect(result).toEqual({ stdout: 'out\n', stderr: 'err\n', status: { metadata: {}, status: 'Success' } });
  });

  it('reports a non-zero exit code as a WebSocket client of a 1.36 API server sees it', async () => {
    const result = await run(['sh', '-c', 'echo failing >&2; exit 3']);
    expect(result.stderr).toBe('failing\n');
    expect(result.status).toEqual({
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: command terminated with exit code 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });

  it('reports a missing executable as the runtime failure containerd reports', async () => {
    const result = await run(['no-such-binary-kubesim', '--flag']);
    expect(result.status).toMatchObject({ status: 'Failure', reason: 'InternalError', code: 500 });
    expect(result.status?.message).toMatch(
      /^Internal error occurred: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "no-such-binary-kubesim": executable file not found in \$PATH: unknown$/,
    );
  });

  it('passes stdin through until the client closes it', async () => {
    const result = await run(['cat'], 'hello from stdin');
    expect(result.stdout).toBe('hello from stdin');
    expect(result.status?.status).toBe('Success');
  });

  it('records the exec request with its repeated command parameters', async () => {
    await run(['echo', 'a', 'b']);
    const upgrade = sim.requests.filter((r) => r.path.endsWith('/exec')).at(-1);
    expect(upgrade).toMatchObject({
      method: 'GET',
      status: 101,
      query: { command: ['echo', 'a', 'b'], container: 'main', stdout: 'true', stderr: 'true', stdin: 'false' },
    });
  });

  it('refuses before upgrading: unknown pod (404), unknown container (400), container not running (400)', async () => {
    const exec = new Exec(sim.kubeConfig());
    const out = collector().stream;
    // client-node rejects with the WebSocket's error event, whose message names the HTTP status.
    const refusal = (pod: string, container: string): Promise<string> =>
      exec.exec('default', pod, container, ['true'], out, out, null, false).then(
        () => 'upgraded',
        (err: { message?: string }) => String(err.message),
      );
    expect(await refusal('nope', 'main')).toBe('Unexpected server response: 404');
    expect(await refusal(await podName(), 'other')).toBe('Unexpected server response: 400');
    const crashing = {
      name: 'crashing',
      namespace: 'default',
      annotations: { 'kubesim.styrmin.io/never-ready': 'true' },
    };
    await sim.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: crashing,
      spec: { containers: [{ name: 'main', image: 'x' }] },
    } as never);
    await waitFor(
      () =>
        sim.get<{ kind: string; status?: { phase?: string } }>('v1', 'Pod', 'default', 'crashing')?.status?.phase ===
        'Running',
      'a crash-looping pod',
    );
    expect(await refusal('crashing', 'main')).toBe('Unexpected server response: 400');
    const refusals = sim.requests
      .filter((r) => r.path.endsWith('/exec'))
      .slice(-3)
      .map((r) => r.status);
    expect(refusals).toEqual([404, 400, 400]);
  });

  it('uses a custom exec handler when one is set', async () => {
    sim.setExecHandler(async (request) => {
      request.stdout.write(`${request.pod}/${request.container}: ${request.command.join(' ')}`);
      return { exitCode: 7 };
    });
    try {
      const result = await run(['pg_dump', 'shop']);
      expect(result.stdout).toMatch(/^web-.*\/main: pg_dump shop$/);
      expect(result.status?.details?.causes).toEqual([{ reason: 'ExitCode', message: '7' }]);
    } finally {
      sim.setExecHandler(undefined);
    }
  });
});
