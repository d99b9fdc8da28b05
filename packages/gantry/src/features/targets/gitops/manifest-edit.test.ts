import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { editManifest, imageRepository, ManifestEditError, type ManifestEdit } from './manifest-edit.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OLD_DIGEST = `sha256:${'0'.repeat(64)}`;

function kustomize(imageName: string, version = '2024.05.3'): ManifestEdit {
  return { format: 'kustomize', imageName, version, digest: DIGEST };
}

function helm(key?: string, version = '2024.05.3'): ManifestEdit {
  return { format: 'helm', key, version, digest: DIGEST };
}

const KUSTOMIZATION = `# Production overlay for the api.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

resources:
- ../../base   # shared base
- ingress.yaml


images:
# the api image, pinned by Gantry
- name: ghcr.io/acme/api  # keep this name
  newName: registry.internal/acme/api
  newTag: "2024.05.1"
  digest: ${OLD_DIGEST}
- {name: ghcr.io/acme/worker, newTag: '7'}
- name: busybox
  newTag: 1.36

patches:
  - path: replicas.yaml   # indented differently on purpose
`;

describe('kustomize images', () => {
  it('changes only newTag and digest of the matching entry, byte for byte elsewhere', () => {
    const result = editManifest(KUSTOMIZATION, kustomize('ghcr.io/acme/api'));
    expect(result.changed).toBe(true);
    expect(result.text).toBe(
      KUSTOMIZATION.replace('newTag: "2024.05.1"', 'newTag: "2024.05.3"').replace(
        `digest: ${OLD_DIGEST}`,
        `digest: ${DIGEST}`,
      ),
    );
  });

  it('adds the keys an entry lacks, at the indentation of its other keys', () => {
    const text = `images:\n  - name: busybox # tools\n    newTag: "1.35"\n  - name: other\n`;
    const result = editManifest(text, kustomize('busybox'));
    expect(result.text).toBe(
      `images:\n  - name: busybox # tools\n    newTag: "2024.05.3"\n    digest: ${DIGEST}\n  - name: other\n`,
    );
  });

  it('appends an entry for an image that is not listed yet', () => {
    const result = editManifest(KUSTOMIZATION, kustomize('ghcr.io/acme/new'));
    expect(result.text).toBe(
      KUSTOMIZATION.replace(
        '  newTag: 1.36\n',
        `  newTag: 1.36\n- name: ghcr.io/acme/new\n  newTag: 2024.05.3\n  digest: ${DIGEST}\n`,
      ),
    );
  });

  it('adds images: to a kustomization without one, also when the file lacks a final newline', () => {
    const text = '# base\nresources:\n  - deployment.yaml # app';
    const result = editManifest(text, kustomize('ghcr.io/acme/api'));
    expect(result.text).toBe(
      `${text}\nimages:\n- name: ghcr.io/acme/api\n  newTag: 2024.05.3\n  digest: ${DIGEST}\n`,
    );
    expect(parse(result.text)).toEqual({
      resources: ['deployment.yaml'],
      images: [{ name: 'ghcr.io/acme/api', newTag: '2024.05.3', digest: DIGEST }],
    });
  });

  it('reports no change when the entry already pins the release', () => {
    const once = editManifest(KUSTOMIZATION, kustomize('ghcr.io/acme/api'));
    const twice = editManifest(once.text, kustomize('ghcr.io/acme/api'));
    expect(twice).toEqual({ text: once.text, changed: false });
  });

  it('quotes versions that YAML readers would take for numbers or booleans', () => {
    for (const version of ['1.10', '2024', 'yes', 'on', '0755', 'null']) {
      const text = editManifest(
        'images:\n- name: busybox\n  newTag: 1.36\n',
        kustomize('busybox', version),
      ).text;
      expect(text).toContain(`newTag: "${version}"`);
      expect(parse(text)).toMatchObject({ images: [{ newTag: version }] });
    }
  });

  it('keeps single-quoted values single-quoted', () => {
    const text = `images:\n- name: busybox\n  newTag: '1.36'\n  digest: '${OLD_DIGEST}'\n`;
    expect(editManifest(text, kustomize('busybox')).text).toBe(
      `images:\n- name: busybox\n  newTag: '2024.05.3'\n  digest: '${DIGEST}'\n`,
    );
  });

  it('edits a flow-style entry through the document when it cannot be spliced, keeping comments', () => {
    const result = editManifest(KUSTOMIZATION, kustomize('ghcr.io/acme/worker'));
    expect(result.changed).toBe(true);
    expect(result.text).toContain('# the api image, pinned by Gantry');
    expect(result.text).toContain('# shared base');
    expect(parse(result.text)).toMatchObject({
      images: [{}, { name: 'ghcr.io/acme/worker', newTag: '2024.05.3', digest: DIGEST }, {}],
    });
  });

  it('keeps CRLF line endings', () => {
    const text = 'images:\r\n- name: busybox\r\n  newTag: "1"\r\n';
    expect(editManifest(text, kustomize('busybox')).text).toBe(
      `images:\r\n- name: busybox\r\n  newTag: "2024.05.3"\r\n  digest: ${DIGEST}\r\n`,
    );
  });

  it('explains files it cannot edit', () => {
    const cases: [string, string][] = [
      ['- a\n- b\n', 'the file is a list, but a kustomization must be a mapping'],
      ['just text\n', 'the file is a string ("just text")'],
      ['', 'the file is empty'],
      ['images: ghcr.io/acme/api\n', 'images: is a string ("ghcr.io/acme/api"), not a list'],
      ['images:\n- busybox\n', 'images[0] is a string ("busybox"), not a mapping'],
      ['images:\n- name: busybox\n- name: busybox\n', 'lists busybox 2 times'],
      ['images:\n- name: busybox\n  newTag: {a: 1}\n', 'images[0].newTag is a mapping, not a single value'],
      ['images: [\n', 'the file is not valid YAML'],
      ['a: 1\n---\nb: 2\n', 'the file is not valid YAML: Source contains multiple documents'],
    ];
    for (const [text, message] of cases) {
      expect(() => editManifest(text, kustomize('busybox')), text).toThrow(message);
    }
    expect(() => editManifest('images: []\n', kustomize(''))).toThrow(ManifestEditError);
  });

  it('refuses a digest or version that would not be one value', () => {
    expect(() => editManifest('images: []\n', { ...kustomize('x'), digest: 'latest' })).toThrow(
      'is not an image digest',
    );
    expect(() => editManifest('images: []\n', kustomize('x', '1.0\nkind: Evil'))).toThrow(
      'control characters',
    );
  });
});

const VALUES = `# Values for the api chart.
replicaCount: 3

image:
  repository: ghcr.io/acme/api   # registry mirror below
  # Set by Gantry on every promotion.
  tag: 2024.05.1
  digest: ""
  pullPolicy: IfNotPresent

sidecars:
  - name: proxy
    image:
      tag: "1.2"
`;

describe('helm values', () => {
  it('sets the tag and the sibling digest, byte for byte elsewhere', () => {
    const result = editManifest(VALUES, helm());
    expect(result.changed).toBe(true);
    expect(result.text).toBe(
      VALUES.replace('tag: 2024.05.1', 'tag: 2024.05.3').replace('digest: ""', `digest: "${DIGEST}"`),
    );
  });

  it('follows list indexes and leaves a parent without digest alone', () => {
    const result = editManifest(VALUES, helm('sidecars.0.image.tag', '1.3'));
    expect(result.text).toBe(VALUES.replace('tag: "1.2"', 'tag: "1.3"'));
  });

  it('fills an empty value', () => {
    const text = 'image:\n  tag:\n  pullPolicy: Always\n';
    expect(editManifest(text, helm()).text).toBe('image:\n  tag: 2024.05.3\n  pullPolicy: Always\n');
  });

  it('reports no change when the values already pin the release', () => {
    const text = `image:\n  tag: 2024.05.3\n  digest: ${DIGEST}\n`;
    expect(editManifest(text, helm())).toEqual({ text, changed: false });
  });

  it('writes a string where a number was', () => {
    const result = editManifest('image:\n  tag: 1.2\n', helm('image.tag', '1.2'));
    expect(result).toEqual({ text: 'image:\n  tag: "1.2"\n', changed: true });
  });

  it('explains key paths that do not lead to a value', () => {
    const cases: [string, string][] = [
      [
        'image.tagg',
        'key "image.tagg" not found: "image" has no key "tagg" (it has repository, tag, digest, pullPolicy)',
      ],
      ['imag.tag', 'key "imag.tag" not found: the top level has no key "imag"'],
      [
        'replicaCount.tag',
        'key "replicaCount.tag" goes through "replicaCount", which is a number (3), not a mapping',
      ],
      ['image', 'key "image" is a mapping, not a single value'],
      ['sidecars.3.image.tag', '"sidecars" is a list of 1 items and "3" is not one of its indexes'],
      ['image..tag', 'is not a dotted key path'],
    ];
    for (const [key, message] of cases) {
      expect(() => editManifest(VALUES, helm(key)), key).toThrow(message);
    }
    expect(() => editManifest('base: &b {tag: 1}\nimage: *b\n', helm())).toThrow('is a YAML alias');
    expect(() => editManifest('image:\n', helm())).toThrow('goes through "image", which is empty');
  });
});

describe('imageRepository', () => {
  it('drops the tag and the digest, not a registry port', () => {
    expect(imageRepository('ghcr.io/acme/api')).toBe('ghcr.io/acme/api');
    expect(imageRepository('ghcr.io/acme/api:2024.05.1')).toBe('ghcr.io/acme/api');
    expect(imageRepository(`ghcr.io/acme/api@${DIGEST}`)).toBe('ghcr.io/acme/api');
    expect(imageRepository(`registry:5000/acme/api:1@${DIGEST}`)).toBe('registry:5000/acme/api');
    expect(imageRepository('registry:5000/acme/api')).toBe('registry:5000/acme/api');
  });
});
