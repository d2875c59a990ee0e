// The byte-exact editing corpus: each case names the file, the edit, and the exact text
// replacements expected (written by hand, not by the editor), then compares whole bytes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseImages } from '../../actions/gitops-bump/image-spec.js';
import { applyEdits, planImageEdits, planSetEdit } from '../../actions/gitops-bump/yaml-edit.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'gitops');
const ACR = 'omispcacrprod.azurecr.io/omis-pc';
const D1 = `sha256:${'1'.repeat(64)}`;
const D9 = `sha256:${'9'.repeat(64)}`;

interface Case {
  file: string;
  images?: string[];
  sets?: [string, string][];
  /** [before, after] literal replacements, each before occurring exactly once. */
  replace: [string, string][];
}

const CASES: Case[] = [
  {
    file: '01-helm-seed.yaml',
    images: [`${ACR}/frontend=9d8c7b6a`, `${ACR}/backend=9d8c7b6a`],
    replace: [
      ['tag: "3f2a9c1d"  # set by CI', 'tag: "9d8c7b6a"  # set by CI'],
      ['backend\n    tag: "3f2a9c1d"', 'backend\n    tag: "9d8c7b6a"'],
    ],
  },
  { file: '02-helm-plain-tag.yaml', images: [`${ACR}/frontend=def456`], replace: [['tag: abc123', 'tag: def456']] },
  { file: '03-helm-numeric-tag.yaml', images: [`${ACR}/backend=1.21`], replace: [['tag: 1.20 #', 'tag: "1.21" #']] },
  { file: '04-helm-single-quoted.yaml', images: [`${ACR}/frontend=v1.5.0`], replace: [["tag: 'v1.4.0'", "tag: 'v1.5.0'"]] },
  {
    file: '05-helm-registry-split.yaml',
    images: [`${ACR}/csvtomdb=2024.12.1`],
    replace: [['tag: "2024.11.3"', 'tag: "2024.12.1"']],
  },
  { file: '06-helm-digest.yaml', images: [`${ACR}/backend@${D9}`], replace: [[`digest: "${D1}"`, `digest: "${D9}"`]] },
  {
    file: '07-image-string.yaml',
    images: [`${ACR}/frontend=9d8c7b6a`],
    replace: [[`image: ${ACR}/frontend:3f2a9c1d # pinned`, `image: ${ACR}/frontend:9d8c7b6a # pinned`]],
  },
  {
    file: '08-image-port-registry.yaml',
    images: [`127.0.0.1:5000/omis-pc/backend@${D9}`],
    replace: [['"127.0.0.1:5000/omis-pc/backend:old"', `"127.0.0.1:5000/omis-pc/backend@${D9}"`]],
  },
  {
    file: '09-kustomization.yaml',
    images: [`${ACR}/frontend=new1`, `${ACR}/backend=new2`],
    replace: [
      ['newTag: 3f2a9c1d', 'newTag: new1'],
      ['newTag: "3f2a9c1d"', 'newTag: "new2"'],
    ],
  },
  {
    file: '10-kustomization-digest.yaml',
    images: [`${ACR}/csvtomdb@${D9}`],
    replace: [[`digest: sha256:${'2'.repeat(64)}`, `digest: ${D9}`]],
  },
  {
    file: '11-flux-setters.yaml',
    images: ['ghcr.io/omis/podinfo=5.1.0', 'ghcr.io/omis/podinfo-sidecar=5.1.0'],
    replace: [
      ['image: ghcr.io/omis/podinfo:5.0.0 #', 'image: ghcr.io/omis/podinfo:5.1.0 #'],
      ['tag: 5.0.0 #', 'tag: 5.1.0 #'],
    ],
  },
  {
    file: '12-anchors.yaml',
    images: [`${ACR}/frontend=new-tag`],
    replace: [['&frontendTag "old-tag"', '&frontendTag "new-tag"']],
  },
  {
    file: '13-flow-style.yaml',
    images: [`${ACR}/frontend=v2`, `${ACR}/backend=v3`],
    replace: [
      ['frontend, tag: old}', 'frontend, tag: v2}'],
      ['tag: "old" }', 'tag: "v3" }'],
    ],
  },
  {
    file: '14-multi-document.yaml',
    images: [`${ACR}/frontend=bbb`, `${ACR}/backend=ccc`],
    replace: [
      ['frontend:aaa', 'frontend:bbb'],
      ['backend:aaa', 'backend:ccc'],
    ],
  },
  {
    file: '15-crlf.yaml',
    images: [`${ACR}/frontend=new`, `${ACR}/backend=new`],
    replace: [
      ['tag: "old"\r\n', 'tag: "new"\r\n'],
      ['tag: old\r\n', 'tag: new\r\n'],
    ],
  },
  {
    file: '16-blank-lines-comments.yaml',
    images: [`${ACR}/backend=fresh`],
    replace: [['tag:   "old"   # and more', 'tag:   "fresh"   # and more']],
  },
  {
    file: '17-set-path.yaml',
    sets: [
      ['replicaCount', '3'],
      ['ingress.hosts.0.host', 'new.omis.example.com'],
      ['featureFlags.newCheckout', 'true'],
    ],
    replace: [
      ['replicaCount: 2 #', 'replicaCount: 3 #'],
      ['host: old.omis.example.com', 'host: new.omis.example.com'],
      ['newCheckout: "false"', 'newCheckout: "true"'],
    ],
  },
  { file: '18-no-change.yaml', images: [`${ACR}/frontend=new-tag`], replace: [] },
  { file: '19-unicode.yaml', images: [`${ACR}/frontend=neu`], replace: [['tag: "alt"   # früher', 'tag: "neu"   # früher']] },
];

describe('byte-exact YAML edits', () => {
  it('covers every file of the corpus (at least 15)', () => {
    const files = readdirSync(DIR).filter((file) => file.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(15);
    expect(CASES.map((entry) => entry.file).sort()).toEqual(files.sort());
  });

  it.each(CASES)('$file', ({ file, images, sets, replace }) => {
    const source = readFileSync(join(DIR, file), 'utf8');
    let expected = source;
    for (const [before, after] of replace) {
      expect(source.split(before).length - 1, `"${before}" must occur once in ${file}`).toBe(1);
      expected = expected.replace(before, after);
    }
    const specs = parseImages('images', images ?? []);
    const plan = planImageEdits(source, specs, file);
    for (const spec of specs) expect(plan.found.has(spec.name), `${spec.name} found in ${file}`).toBe(true);
    const edits = [...plan.edits, ...(sets ?? []).map(([path, value]) => planSetEdit(source, path, value, file))];
    const result = applyEdits(source, edits);
    expect(Buffer.from(result)).toEqual(Buffer.from(expected));
  });

  it('applies the same edit twice as no edit at all', () => {
    const source = readFileSync(join(DIR, '01-helm-seed.yaml'), 'utf8');
    const specs = parseImages('images', [`${ACR}/frontend=9d8c7b6a`]);
    const once = applyEdits(source, planImageEdits(source, specs, 'x').edits);
    expect(planImageEdits(once, specs, 'x').edits).toEqual([]);
  });

  it('refuses what it cannot edit in place', () => {
    expect(() => planSetEdit('a: 1\n', 'b.c', 'x', 'f.yaml')).toThrow(
      'f.yaml: b.c does not exist (set edits existing values only)',
    );
    expect(() => planImageEdits('image:\n  repository: r/x\n  tag: 1\n', parseImages('images', [`r/x@${D9}`]), 'f.yaml')).toThrow(
      'f.yaml: image has no digest to set for r/x',
    );
    expect(() => planImageEdits('a: [\n', [], 'bad.yaml')).toThrow(/^bad.yaml is not valid YAML/);
    expect(() => parseImages('images', ['omis/frontend:tag'])).toThrow(
      `input 'images' must be lines of image=tag or image@sha256:...; got "omis/frontend:tag"`,
    );
  });
});
