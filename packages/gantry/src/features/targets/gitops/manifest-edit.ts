import { isDeepStrictEqual } from 'node:util';
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  Scalar,
  stringify,
  type Node as YamlNode,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';

// Pins a release in a GitOps manifest: the images: list of a kustomization.yaml
// or a tag key in a Helm values file.
//
// People review these files in pull requests and diffs, so an edit must change
// the pinned values and nothing else. The change is computed on a yaml Document
// (parseDocument + setIn) and then written into the original text by replacing
// only the source ranges of the edited values (and appending new lines where a
// key or an images entry is added). The spliced text is parsed again and must
// mean exactly what the edited Document means; when it does not (exotic layout:
// flow collections, block scalars), the Document is serialised instead, which
// keeps the comments but may normalise indentation and spacing.
//
// kustomize: Gantry writes both `newTag` (the release version) and `digest`.
// kustomize renders an image with both as `name:tag@digest`, and container
// runtimes pull `name:tag@digest` by the digest alone, so the digest is what
// runs and the tag only tells people which release that is. (kustomize before
// v4.5 used the digest and dropped the tag; the image that runs is the same.)
//
// helm: the key path (default `image.tag`) must already exist, so a typo in the
// target configuration fails the promotion instead of adding a key that no
// template reads. If the tag's parent mapping has a `digest` key, it is set too.

export type ManifestFormat = 'kustomize' | 'helm';

export interface ManifestEdit {
  format: ManifestFormat;
  /** The release version, written as the tag. */
  version: string;
  /** The image digest, `algorithm:hex`. */
  digest: string;
  /** kustomize: the `images[].name` to pin. */
  imageName?: string;
  /** helm: dotted key path of the tag, e.g. `image.tag` (numbers index lists: `images.0.tag`). */
  key?: string;
}

export interface ManifestEditResult {
  text: string;
  /** False when the file already pinned this version and digest (then `text` is the input). */
  changed: boolean;
}

/** The file cannot be edited as asked; the message says what is wrong in it. */
export class ManifestEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestEditError';
  }
}

export const DEFAULT_HELM_KEY = 'image.tag';

// OCI image-spec digest grammar: algorithm ":" encoded.
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** `registry:5000/team/api:1.2@sha256:…` → `registry:5000/team/api`. */
export function imageRepository(image: string): string {
  const withoutDigest = image.split('@', 1)[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const lastColon = withoutDigest.lastIndexOf(':');
  return lastColon > lastSlash ? withoutDigest.slice(0, lastColon) : withoutDigest;
}

export function editManifest(text: string, edit: ManifestEdit): ManifestEditResult {
  checkValue('version', edit.version);
  checkValue('digest', edit.digest);
  if (!DIGEST.test(edit.digest)) {
    throw new ManifestEditError(
      `digest "${edit.digest}" is not an image digest (algorithm:hex, e.g. sha256:…)`,
    );
  }

  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new ManifestEditError(`the file is not valid YAML: ${doc.errors[0]?.message ?? 'parse error'}`);
  }
  if (!isMap(doc.contents)) {
    throw new ManifestEditError(
      `the file is ${describe(doc.contents)}, but a ${edit.format === 'kustomize' ? 'kustomization' : 'Helm values file'} must be a mapping (key: value)`,
    );
  }
  const root = doc.contents;

  const changes: Change[] = [];
  switch (edit.format) {
    case 'kustomize':
      planKustomize(root, edit, changes);
      break;
    case 'helm':
      planHelm(root, edit, changes);
      break;
  }
  if (changes.length === 0) return { text, changed: false };

  // Splice first: it reads the source ranges of the nodes as parsed.
  const spliced = splice(text, changes);
  for (const change of changes) applyToDocument(doc, change);
  const expected: unknown = doc.toJS();
  if (spliced !== undefined) {
    const reparsed = parseDocument(spliced);
    if (reparsed.errors.length === 0 && isDeepStrictEqual(reparsed.toJS(), expected)) {
      return { text: spliced, changed: true };
    }
  }
  return { text: doc.toString({ lineWidth: 0 }), changed: true };
}

// ---------------------------------------------------------------------------
// Planning: find the nodes to change, explain what is wrong.

type Change =
  /** Replace the value of an existing scalar. */
  | { kind: 'replace'; path: (string | number)[]; node: Scalar; value: string }
  /** Add keys at the end of an existing mapping. */
  | { kind: 'add-keys'; path: (string | number)[]; map: YAMLMap; entries: [string, string][] }
  /** Append an item to an existing sequence. */
  | { kind: 'add-item'; path: (string | number)[]; seq: YAMLSeq; item: Record<string, string> }
  /** Add a key holding a one-item sequence to the root mapping. */
  | { kind: 'add-list'; path: (string | number)[]; map: YAMLMap; key: string; item: Record<string, string> };

function planKustomize(root: YAMLMap, edit: ManifestEdit, changes: Change[]): void {
  const name = edit.imageName;
  if (!name) throw new ManifestEditError('no image name to look for in images:');
  const wanted: [string, string][] = [
    ['newTag', edit.version],
    ['digest', edit.digest],
  ];
  const newEntry = { name, newTag: edit.version, digest: edit.digest };

  const images = root.get('images', true) as YamlNode | undefined;
  if (images === undefined || images === null || (isScalar(images) && images.value === null)) {
    changes.push({ kind: 'add-list', path: [], map: root, key: 'images', item: newEntry });
    return;
  }
  if (isAlias(images)) throw new ManifestEditError('images: is a YAML alias; Gantry edits only plain values');
  if (!isSeq(images)) throw new ManifestEditError(`images: is ${describe(images)}, not a list`);

  const matches: number[] = [];
  images.items.forEach((item, index) => {
    if (!isMap(item)) {
      throw new ManifestEditError(`images[${index}] is ${describe(item)}, not a mapping with name:`);
    }
    const entryName = item.get('name', true) as YamlNode | undefined;
    if (isScalar(entryName) && String(entryName.value) === name) matches.push(index);
  });
  if (matches.length > 1) {
    throw new ManifestEditError(
      `images: lists ${name} ${matches.length} times (entries ${matches.join(', ')}); keep one entry per image`,
    );
  }
  const index = matches[0];
  if (index === undefined) {
    changes.push({ kind: 'add-item', path: ['images'], seq: images, item: newEntry });
    return;
  }

  const entry = images.items[index] as YAMLMap;
  const missing: [string, string][] = [];
  for (const [key, value] of wanted) {
    const node = entry.get(key, true) as YamlNode | undefined;
    const where = `images[${index}].${key}`;
    if (node === undefined) missing.push([key, value]);
    else replaceScalar(['images', index, key], where, node, value, changes);
  }
  if (missing.length > 0)
    changes.push({ kind: 'add-keys', path: ['images', index], map: entry, entries: missing });
}

function planHelm(root: YAMLMap, edit: ManifestEdit, changes: Change[]): void {
  const key = edit.key ?? DEFAULT_HELM_KEY;
  const segments = key.split('.');
  if (segments.some((segment) => segment === '')) {
    throw new ManifestEditError(`key "${key}" is not a dotted key path (like image.tag)`);
  }

  let node: YamlNode = root;
  let parent: YAMLMap | undefined;
  const path: (string | number)[] = [];
  for (const [depth, segment] of segments.entries()) {
    const here = path.length === 0 ? 'the top level' : `"${segments.slice(0, depth).join('.')}"`;
    if (isAlias(node))
      throw new ManifestEditError(`key "${key}": ${here} is a YAML alias; Gantry edits only plain values`);
    let next: YamlNode | undefined;
    if (isMap(node)) {
      parent = node;
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
      if (pair === undefined) {
        const keys = node.items.flatMap((item) => (isScalar(item.key) ? [String(item.key.value)] : []));
        throw new ManifestEditError(
          `key "${key}" not found: ${here} has no key "${segment}"${keys.length > 0 ? ` (it has ${keys.join(', ')})` : ''}`,
        );
      }
      next = (pair.value ?? undefined) as YamlNode | undefined;
      path.push(segment);
    } else if (isSeq(node)) {
      parent = undefined;
      const position = /^\d+$/.test(segment) ? Number(segment) : NaN;
      if (!(position < node.items.length)) {
        throw new ManifestEditError(
          `key "${key}" not found: ${here} is a list of ${node.items.length} items and "${segment}" is not one of its indexes`,
        );
      }
      next = node.items[position] as YamlNode | undefined;
      path.push(position);
    } else {
      throw new ManifestEditError(
        `key "${key}" goes through ${here}, which is ${describe(node)}, not a mapping`,
      );
    }
    if (depth < segments.length - 1 && (next === undefined || next === null)) {
      throw new ManifestEditError(
        `key "${key}" goes through "${segments.slice(0, depth + 1).join('.')}", which is empty`,
      );
    }
    node = next as YamlNode;
  }

  replaceScalar(path, `key "${key}"`, node, edit.version, changes);

  const last = segments[segments.length - 1];
  const digest = last !== 'digest' ? (parent?.get('digest', true) as YamlNode | undefined) : undefined;
  if (digest !== undefined) {
    const digestPath = [...path.slice(0, -1), 'digest'];
    replaceScalar(digestPath, `key "${digestPath.join('.')}"`, digest, edit.digest, changes);
  }
}

function replaceScalar(
  path: (string | number)[],
  where: string,
  node: YamlNode | null | undefined,
  value: string,
  changes: Change[],
): void {
  if (node === null || node === undefined) {
    throw new ManifestEditError(`${where} has no value node`);
  }
  if (isAlias(node)) throw new ManifestEditError(`${where} is a YAML alias; Gantry edits only plain values`);
  if (!isScalar(node)) throw new ManifestEditError(`${where} is ${describe(node)}, not a single value`);
  if (node.value === value) return;
  changes.push({ kind: 'replace', path, node, value });
}

function applyToDocument(doc: Document, change: Change): void {
  switch (change.kind) {
    case 'replace':
      doc.setIn(change.path, change.value);
      if (change.node.type === Scalar.PLAIN) change.node.type = scalarStyle(change.value);
      break;
    case 'add-keys':
      for (const [key, value] of change.entries) doc.setIn([...change.path, key], scalar(value));
      break;
    case 'add-item':
      doc.addIn(change.path, itemNode(doc, change.item));
      break;
    case 'add-list':
      doc.setIn([...change.path, change.key], doc.createNode([itemNode(doc, change.item)]));
      break;
  }
}

function itemNode(doc: Document, item: Record<string, string>): YAMLMap {
  const map = doc.createNode({}) as YAMLMap;
  for (const [key, value] of Object.entries(item)) map.set(key, scalar(value));
  return map;
}

/** A string node that is quoted when YAML 1.1 readers would take it for something else. */
function scalar(value: string): Scalar<string> {
  const node = new Scalar(value);
  node.type = scalarStyle(value);
  return node;
}

function scalarStyle(value: string): Scalar['type'] {
  return plain(value) === value ? Scalar.PLAIN : Scalar.QUOTE_DOUBLE;
}

// ---------------------------------------------------------------------------
// Splicing: the same changes written into the original text.

interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** The text with the changes spliced in, or undefined when a change has no safe place in the source. */
function splice(text: string, changes: Change[]): string | undefined {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const edits: TextEdit[] = [];
  for (const change of changes) {
    const edit = textEdit(text, change, eol);
    if (edit === undefined) return undefined;
    edits.push(edit);
  }
  edits.sort((a, b) => b.start - a.start);
  for (let i = 1; i < edits.length; i++) {
    if ((edits[i]?.end ?? 0) > (edits[i - 1]?.start ?? 0)) return undefined; // overlapping
  }
  let result = text;
  for (const edit of edits) result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  return result;
}

function textEdit(text: string, change: Change, eol: string): TextEdit | undefined {
  switch (change.kind) {
    case 'replace': {
      const { node } = change;
      const range = node.range;
      if (!range) return undefined;
      const rendered = renderScalar(change.value, node.type);
      if (rendered === undefined) return undefined;
      // An empty value (`tag:`) has an empty range right after the colon.
      const replacement = range[0] === range[1] ? ` ${rendered}` : rendered;
      return { start: range[0], end: range[1], text: replacement };
    }
    case 'add-keys': {
      const at = blockEnd(text, change.map);
      const indent = at && keyIndent(text, change.map);
      if (at === undefined || indent === undefined) return undefined;
      const lines = change.entries.map(([key, value]) => `${indent}${key}: ${plain(value)}${eol}`);
      return { start: at.offset, end: at.offset, text: (at.newlineFirst ? eol : '') + lines.join('') };
    }
    case 'add-item': {
      const { seq } = change;
      if (seq.flow || !seq.range || seq.items.length === 0) return undefined;
      const at = blockEnd(text, seq);
      if (at === undefined) return undefined;
      const dash = ' '.repeat(column(text, seq.range[0]));
      const lines = itemLines(change.item, dash, eol);
      return { start: at.offset, end: at.offset, text: (at.newlineFirst ? eol : '') + lines };
    }
    case 'add-list': {
      const at = blockEnd(text, change.map);
      const indent = at && keyIndent(text, change.map);
      if (at === undefined || indent === undefined) return undefined;
      const lines = `${indent}${change.key}:${eol}${itemLines(change.item, indent, eol)}`;
      return { start: at.offset, end: at.offset, text: (at.newlineFirst ? eol : '') + lines };
    }
  }
}

/** `- a: x` / `  b: y` lines of a mapping item whose dash is at `dash` indentation. */
function itemLines(item: Record<string, string>, dash: string, eol: string): string {
  return Object.entries(item)
    .map(([key, value], index) => `${dash}${index === 0 ? '- ' : '  '}${key}: ${plain(value)}${eol}`)
    .join('');
}

/** Where to add lines after the last item of a block collection. */
function blockEnd(
  text: string,
  collection: YAMLMap | YAMLSeq,
): { offset: number; newlineFirst: boolean } | undefined {
  if (collection.flow || !collection.range) return undefined;
  let offset = collection.range[1];
  if (offset > 0 && text[offset - 1] !== '\n') {
    const newline = text.indexOf('\n', offset);
    if (newline === -1) return { offset: text.length, newlineFirst: true };
    offset = newline + 1;
  }
  return { offset, newlineFirst: false };
}

/** The indentation of the keys of a block mapping (that of its last key). */
function keyIndent(text: string, map: YAMLMap): string | undefined {
  const last = map.items[map.items.length - 1];
  if (!last || !isScalar(last.key) || !last.key.range) return undefined;
  return ' '.repeat(column(text, last.key.range[0]));
}

function column(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** A value in the quoting style the scalar already had, or undefined when that style is not spliced. */
function renderScalar(value: string, type: Scalar['type']): string | undefined {
  switch (type) {
    case Scalar.QUOTE_DOUBLE:
      return JSON.stringify(value);
    case Scalar.QUOTE_SINGLE:
      return `'${value.replaceAll("'", "''")}'`;
    case Scalar.PLAIN:
    case undefined:
      return plain(value);
    default:
      return undefined; // block scalars
  }
}

/**
 * The value unquoted when every reader takes it for the same string (YAML 1.2
 * and YAML 1.1, which Helm's parser speaks: `yes`, `0755` and `1.10` are not
 * strings there), double-quoted otherwise.
 */
function plain(value: string): string {
  const modern = stringify(value, { lineWidth: 0 }).trimEnd();
  const legacy = stringify(value, { lineWidth: 0, version: '1.1' }).trimEnd();
  return modern === value && legacy === value ? value : JSON.stringify(value);
}

function checkValue(what: string, value: string): void {
  if (
    value.trim() === '' ||
    Array.from(value).some((char) => char.charCodeAt(0) < 0x20 || char === '\u007f')
  ) {
    throw new ManifestEditError(`${what} ${JSON.stringify(value)} is empty or holds control characters`);
  }
}

function describe(node: unknown): string {
  if (node === null || node === undefined) return 'empty';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isAlias(node)) return 'an alias';
  if (isScalar(node)) {
    if (node.value === null) return 'empty';
    return `a ${typeof node.value === 'string' ? 'string' : typeof node.value} (${JSON.stringify(node.value)})`;
  }
  return 'not a mapping';
}
