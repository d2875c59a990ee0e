/** Registry hosts, repositories, tags and digests as the distribution spec defines them. */

const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/;
const IPV6_HOST = /^\[[0-9a-f:]+\](?::\d{1,5})?$/;
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

export const isRegistryHost = (text: string): boolean => HOST.test(text) || IPV6_HOST.test(text);
export const isRepository = (text: string): boolean => text.length <= 255 && REPOSITORY.test(text);
export const isTag = (text: string): boolean => TAG.test(text);
export const isDigest = (text: string): boolean => DIGEST.test(text);

/**
 * An image reference as docker reads it: `[host[:port]/]path[:tag][@sha256:...]`, the host
 * told apart by a dot, a port or `localhost` in the first component.
 */
export function isImageReference(text: string): boolean {
  let rest = text;
  const at = rest.indexOf('@');
  if (at >= 0) {
    if (!isDigest(rest.slice(at + 1))) return false;
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    if (!isTag(rest.slice(colon + 1))) return false;
    rest = rest.slice(0, colon);
  }
  const [first = '', ...others] = rest.split('/');
  if (others.length > 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    return isRegistryHost(first) && isRepository(others.join('/'));
  }
  return isRepository(rest);
}

/** Loopback registries speak plain HTTP, as Docker allows for 127.0.0.0/8 by default. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(0, registry.indexOf(']') + 1) : (registry.split(':')[0] ?? '');
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function registryBaseUrl(registry: string): string {
  return `${isLoopbackRegistry(registry) ? 'http' : 'https'}://${registry}`;
}

/** `registry/repository:tag` or `registry/repository@sha256:...`. */
export function imageRef(registry: string, repository: string, tagOrDigest?: string): string {
  const base = `${registry}/${repository}`;
  if (tagOrDigest === undefined) return base;
  return isDigest(tagOrDigest) ? `${base}@${tagOrDigest}` : `${base}:${tagOrDigest}`;
}
