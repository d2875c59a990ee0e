import { InputError } from '../../packages/shared/errors.js';
import { isDigest, isTag } from '../../packages/shared/image-ref.js';

/** One line of `images`: `name=tag` or `name@sha256:...`; the name may carry a registry port. */
export interface ImageSpec {
  name: string;
  tag?: string;
  digest?: string;
}

const NAME = /^[a-z0-9][a-z0-9._-]*(?::\d+)?(?:\/[a-z0-9][a-z0-9._-]*)*$/;

export function parseImages(input: string, lines: readonly string[]): ImageSpec[] {
  const seen = new Set<string>();
  return lines.map((line) => {
    const at = line.indexOf('@');
    const eq = line.indexOf('=');
    let spec: ImageSpec;
    if (at > 0 && (eq < 0 || at < eq)) spec = { name: line.slice(0, at), digest: line.slice(at + 1) };
    else if (eq > 0) spec = { name: line.slice(0, eq), tag: line.slice(eq + 1) };
    else throw new InputError(input, `must be lines of image=tag or image@sha256:...; got "${line}"`);
    if (!NAME.test(spec.name))
      throw new InputError(input, `names an invalid image "${spec.name}" (no tag: the tag goes after =)`);
    if (spec.tag !== undefined && !isTag(spec.tag))
      throw new InputError(input, `has an invalid tag "${spec.tag}" for ${spec.name}`);
    if (spec.digest !== undefined && !isDigest(spec.digest))
      throw new InputError(input, `has an invalid digest "${spec.digest}" for ${spec.name}`);
    if (seen.has(spec.name)) throw new InputError(input, `names ${spec.name} twice`);
    seen.add(spec.name);
    return spec;
  });
}

/** `registry/repo:tag` or `registry/repo@sha256:...` into its parts; a port colon is not a tag. */
export function splitReference(reference: string): { name: string; tag?: string; digest?: string } {
  const at = reference.indexOf('@');
  const digest = at >= 0 ? reference.slice(at + 1) : undefined;
  const withoutDigest = at >= 0 ? reference.slice(0, at) : reference;
  const colon = withoutDigest.lastIndexOf(':');
  const slash = withoutDigest.lastIndexOf('/');
  if (colon > slash)
    return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), ...(digest ? { digest } : {}) };
  return { name: withoutDigest, ...(digest ? { digest } : {}) };
}

export function referenceFor(spec: ImageSpec): string {
  return spec.digest !== undefined ? `${spec.name}@${spec.digest}` : `${spec.name}:${spec.tag ?? ''}`;
}

export function describeImage(spec: ImageSpec): string {
  return spec.digest !== undefined ? `${spec.name}@${spec.digest.slice(0, 19)}` : `${spec.name}:${spec.tag ?? ''}`;
}
