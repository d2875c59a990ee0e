// The serving stand-in: what kwok cannot do. kwok makes pods Running and Ready, but nothing
// runs in them, so nothing answers a health check. This watches the ReplicaSets of the
// Deployments in one namespace of the REAL control plane and runs, for each Deployment, the
// image of its newest ReplicaSet that has ready pods, as a REAL Docker container published
// on a loopback port. health-gate then probes the version Kubernetes actually rolled out: a
// rollout that never became ready keeps the old version serving, and a rollback brings it
// back. Fake: only the networking (a port per Deployment instead of Services and an ingress).
import { dockerClient, type RegistryLogin } from './containers.js';
import type { ControlPlane } from './control-plane.js';
import { delay } from './http-server.js';

interface ReplicaSet {
  metadata: { name: string; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
  spec: { template: { spec: { containers: { image: string; ports?: { containerPort: number }[] }[] } } };
  status: { readyReplicas?: number };
}

export interface Serving {
  /** The image each Deployment is served with now. */
  images: () => Record<string, string>;
  /** Waits until `deployment` is served with an image matching `pattern`. */
  until: (deployment: string, pattern: RegExp, timeoutMs?: number) => Promise<void>;
  close: () => Promise<void>;
}

/** The image of the newest revision of each Deployment that has a ready pod. */
export function servedImages(replicaSets: readonly ReplicaSet[]): Map<string, { image: string; port: number }> {
  const best = new Map<string, { revision: number; image: string; port: number }>();
  for (const set of replicaSets) {
    const owner = set.metadata.ownerReferences?.find((reference) => reference.kind === 'Deployment')?.name;
    const container = set.spec.template.spec.containers[0];
    if (!owner || !container || (set.status.readyReplicas ?? 0) === 0) continue;
    const revision = Number(set.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
    if ((best.get(owner)?.revision ?? -1) < revision) {
      best.set(owner, { revision, image: container.image, port: container.ports?.[0]?.containerPort ?? 8080 });
    }
  }
  return new Map([...best].map(([name, { image, port }]) => [name, { image, port }]));
}

/**
 * Serves the Deployments named in `ports` (Deployment name -> loopback port). `registry`
 * credentials log the stand-in's own docker client in, as a node's kubelet would pull.
 */
export async function startServing(
  plane: ControlPlane,
  namespace: string,
  ports: Readonly<Record<string, number>>,
  registry?: RegistryLogin,
): Promise<Serving> {
  const { docker, cleanup } = await dockerClient(registry);
  const prefix = `serving-${process.pid}-${Date.now().toString(36)}`;
  const current = new Map<string, string>();
  let stopped = false;
  let failure: Error | undefined;

  async function sync(): Promise<void> {
    const answer = await plane.api('GET', `/apis/apps/v1/namespaces/${namespace}/replicasets`);
    if (answer.status !== 200) return;
    const served = servedImages((JSON.parse(answer.body) as { items: ReplicaSet[] }).items);
    for (const [deployment, { image, port }] of served) {
      const hostPort = ports[deployment];
      if (hostPort === undefined || current.get(deployment) === image) continue;
      const name = `${prefix}-${deployment}`;
      await docker('rm', '-f', name).catch(() => undefined);
      await docker('run', '-d', '--name', name, '-p', `127.0.0.1:${hostPort}:${port}`, image);
      current.set(deployment, image);
    }
  }

  // Bounded by close(): one look at the cluster every 300 ms.
  const loop = (async () => {
    while (!stopped) {
      await sync().catch((error: unknown) => {
        failure = error as Error;
      });
      await delay(300);
    }
  })();

  return {
    images: () => Object.fromEntries(current),
    until: async (deployment, pattern, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (pattern.test(current.get(deployment) ?? '')) return;
        await delay(200);
      }
      throw new Error(`${deployment} was not served with ${pattern} within ${timeoutMs} ms (${failure?.message ?? 'no error'})`);
    },
    close: async () => {
      stopped = true;
      await loop;
      await Promise.all(
        [...current.keys()].map((deployment) => docker('rm', '-f', `${prefix}-${deployment}`).catch(() => undefined)),
      );
      cleanup();
    },
  };
}
