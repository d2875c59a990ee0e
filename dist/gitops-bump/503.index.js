export const id = 503;
export const ids = [503];
export const modules = {

/***/ 503:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  applyBump: () => (/* binding */ applyBump),
  commitArgs: () => (/* binding */ commitArgs),
  imagesSummary: () => (/* binding */ imagesSummary)
});

// UNUSED EXPORTS: selectFiles

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./.build/packages/shared/errors.js
var errors = __webpack_require__(135);
// EXTERNAL MODULE: ./.build/packages/shared/paths.js
var paths = __webpack_require__(2982);
// EXTERNAL MODULE: ./.build/actions/gitops-bump/image-spec.js + 1 modules
var image_spec = __webpack_require__(1585);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
;// CONCATENATED MODULE: ./.build/actions/gitops-bump/yaml-edit.js


class EditError extends Error {
    name = 'EditError';
}
function parse(source, label) {
    const documents = (0,dist/* parseAllDocuments */.hR)(source);
    if (!Array.isArray(documents))
        return [];
    for (const document of documents) {
        const error = document.errors[0];
        if (error)
            throw new EditError(`${label} is not valid YAML: ${error.message.split('\n')[0] ?? ''}`);
    }
    return documents;
}
/**
 * The text a scalar's new value is written as: its own quoting style. A plain scalar stays
 * plain unless that would change the value's type: an image tag is a string, so `1.21`
 * is written `"1.21"`; with `keepType`, a number stays a number (`replicaCount: 3`).
 */
function renderScalar(node, value, inFlow, keepType = false) {
    switch (node.type) {
        case 'QUOTE_DOUBLE':
            return JSON.stringify(value);
        case 'QUOTE_SINGLE':
            return `'${value.replaceAll("'", "''")}'`;
        case 'BLOCK_FOLDED':
        case 'BLOCK_LITERAL':
            throw new EditError('a block scalar (| or >) cannot be edited in place');
        default: {
            if (keepType && typeof node.value !== 'string' && typeof parseScalar(value) === typeof node.value)
                return value;
            const plain = (0,dist/* stringify */.As)(value).trimEnd() === value;
            const flowSafe = !inFlow || !/[,[\]{}]/.test(value);
            return plain && flowSafe ? value : JSON.stringify(value);
        }
    }
}
function parseScalar(text) {
    try {
        return (0,dist/* parseAllDocuments */.hR)(text)[0]?.toJS();
    }
    catch {
        return undefined;
    }
}
/** Plans replacing one scalar's value; no edit when it already holds that value. */
function scalarEdit(source, node, value, where, keepType = false) {
    if (typeof node.value === 'string' && node.value === value)
        return undefined;
    if (keepType && typeof node.value !== 'string' && String(node.value) === value)
        return undefined;
    const [start, end] = node.range ?? [0, 0];
    const inFlow = isInFlow(source, start);
    return { start, end, text: renderScalar(node, value, inFlow, keepType), where };
}
/** Whether an offset lies inside a flow collection ([...] or {...}) on its line or an enclosing one. */
function isInFlow(source, offset) {
    let depth = 0;
    for (let index = offset - 1; index >= 0; index--) {
        const char = source[index];
        if (char === ']' || char === '}')
            depth += 1;
        else if (char === '[' || char === '{') {
            if (depth === 0)
                return true;
            depth -= 1;
        }
        else if ((char === '\n' || char === '\r') && depth === 0) {
            // A flow collection may span lines; only an unindented new line ends the search.
            const next = source[index + 1];
            if (next !== ' ' && next !== '\t')
                return false;
        }
    }
    return false;
}
function get(map, key) {
    return map.items.find((pair) => (0,dist/* isScalar */.jn)(pair.key) && pair.key.value === key);
}
function scalarText(node) {
    return typeof node?.value === 'string' || typeof node?.value === 'number' ? String(node.value) : '';
}
function resolved(document, node) {
    return (0,dist/* isAlias */.Vj)(node) ? node.resolve(document) : node;
}
function stringScalar(document, node) {
    const target = resolved(document, node);
    return (0,dist/* isScalar */.jn)(target) && (typeof target.value === 'string' || typeof target.value === 'number') ? target : undefined;
}
const SETTER = /#\s*\{\s*"\$imagepolicy"\s*:\s*"([^"]+)"\s*\}/;
/** The Flux image-policy setter comment on the rest of a scalar's line, if any. */
function setterAfter(source, node) {
    const end = node.range?.[1] ?? 0;
    const lineEnd = source.slice(end).search(/\r?\n|$/);
    return SETTER.exec(source.slice(end, end + lineEnd))?.[1];
}
function lastSegment(name) {
    return name.slice(name.lastIndexOf('/') + 1);
}
/**
 * Finds every reference to the given images and plans the edits: Helm values
 * (`repository:` with `tag:`/`digest:`, optional `registry:`), `image: repo:tag` strings,
 * kustomization `images:` entries (`newTag`/`digest`), and Flux setter comments
 * (`{"$imagepolicy": "ns:name"}` on a full reference, `ns:name:tag` on a tag).
 */
function planImageEdits(source, images, label) {
    const byName = new Map(images.map((image) => [image.name, image]));
    const byLastSegment = new Map(images.map((image) => [lastSegment(image.name), image]));
    const edits = new Map();
    const found = new Set();
    const add = (edit) => {
        if (edit)
            edits.set(edit.start, edit);
    };
    const where = (path) => path
        .filter((node) => (0,dist/* isMap */.jh)(node) || (0,dist/* isSeq */.oP)(node) || node.key !== undefined)
        .map((node) => {
        const key = node.key;
        return (0,dist/* isScalar */.jn)(key) ? String(key.value) : '';
    })
        .filter(Boolean)
        .join('.');
    for (const document of parse(source, label)) {
        (0,dist/* visit */.YR)(document, {
            Map(_, map, path) {
                const at = where(path);
                // Helm values: repository (+ registry) with tag or digest.
                const repository = stringScalar(document, get(map, 'repository')?.value);
                if (repository && typeof repository.value === 'string') {
                    const registry = stringScalar(document, get(map, 'registry')?.value);
                    const fullName = registry ? `${String(registry.value)}/${repository.value}` : repository.value;
                    const image = byName.get(fullName) ?? byName.get((0,image_spec/* splitReference */.mQ)(fullName).name);
                    if (image && (get(map, 'tag') || get(map, 'digest'))) {
                        found.add(image.name);
                        const field = image.digest !== undefined ? 'digest' : 'tag';
                        const node = stringScalar(document, get(map, field)?.value);
                        if (!node)
                            throw new EditError(`${label}: ${at || 'values'} has no ${field} to set for ${image.name}`);
                        add(scalarEdit(source, node, image.digest ?? image.tag ?? '', `${at}.${field}`.replace(/^\./, '')));
                    }
                }
                // Kustomization images: entries with name / newName and newTag / digest.
                const entries = resolved(document, get(map, 'images')?.value);
                if ((0,dist/* isSeq */.oP)(entries)) {
                    for (const entry of entries.items) {
                        if (!(0,dist/* isMap */.jh)(entry))
                            continue;
                        const name = stringScalar(document, get(entry, 'name')?.value);
                        const newName = stringScalar(document, get(entry, 'newName')?.value);
                        const image = byName.get(scalarText(newName)) ?? byName.get(scalarText(name));
                        if (!image)
                            continue;
                        found.add(image.name);
                        const field = image.digest !== undefined ? 'digest' : 'newTag';
                        const node = stringScalar(document, get(entry, field)?.value);
                        if (!node)
                            throw new EditError(`${label}: the images entry for ${image.name} has no ${field} to set`);
                        add(scalarEdit(source, node, image.digest ?? image.tag ?? '', `images[${scalarText(name)}].${field}`));
                    }
                }
            },
            Scalar(key, node, path) {
                if (key === 'key' || typeof node.value !== 'string')
                    return;
                const setter = setterAfter(source, node);
                const parent = path.at(-1);
                const isImageKey = (0,dist/* isScalar */.jn)(parent?.key) && parent.key.value === 'image';
                // Flux `:tag` setters name a policy; it is matched to the image with that last path segment.
                if (setter !== undefined && setter.split(':').length === 3) {
                    const [, policy, part] = setter.split(':');
                    const image = byLastSegment.get(policy ?? '');
                    if (image && part === 'tag' && image.tag !== undefined) {
                        found.add(image.name);
                        add(scalarEdit(source, node, image.tag, `${where(path)} (setter ${setter})`));
                    }
                    return;
                }
                if (!isImageKey && setter === undefined)
                    return;
                const reference = (0,image_spec/* splitReference */.mQ)(node.value);
                if (reference.tag === undefined && reference.digest === undefined)
                    return;
                const image = byName.get(reference.name);
                if (!image)
                    return;
                found.add(image.name);
                add(scalarEdit(source, node, (0,image_spec/* referenceFor */.zt)(image), where(path)));
            },
        });
    }
    return { edits: [...edits.values()].sort((a, b) => a.start - b.start), found };
}
/** An explicit `dot.path=value` edit of an existing scalar (array items by index). */
function planSetEdit(source, dotPath, value, label) {
    const segments = dotPath.split('.');
    for (const document of parse(source, label)) {
        let node = document.contents;
        for (const segment of segments) {
            node = resolved(document, node);
            if ((0,dist/* isMap */.jh)(node))
                node = get(node, segment)?.value;
            else if ((0,dist/* isSeq */.oP)(node) && /^\d+$/.test(segment))
                node = node.items[Number(segment)];
            else {
                node = undefined;
                break;
            }
        }
        const target = resolved(document, node);
        if (target === undefined || target === null)
            continue;
        if (!(0,dist/* isScalar */.jn)(target))
            throw new EditError(`${label}: ${dotPath} is not a scalar value`);
        return scalarEdit(source, target, value, dotPath, true) ?? { start: 0, end: 0, text: '', where: dotPath };
    }
    throw new EditError(`${label}: ${dotPath} does not exist (set edits existing values only)`);
}
/** Applies non-overlapping edits from the end, so earlier offsets stay valid. */
function applyEdits(source, edits) {
    let result = source;
    const ordered = [...edits].filter((edit) => edit.end > edit.start).sort((a, b) => b.start - a.start);
    for (let index = 0; index < ordered.length; index++) {
        const edit = ordered[index];
        const next = ordered[index - 1];
        if (next && edit.end > next.start)
            throw new EditError(`edits of ${edit.where} and ${next.where} overlap`);
        result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
    }
    return result;
}

// EXTERNAL MODULE: ./.build/packages/shared/glob.js
var glob = __webpack_require__(262);
;// CONCATENATED MODULE: ./.build/actions/gitops-bump/bump.js






/** The files the globs select, from git's own list (so ignored and untracked files never count). */
async function selectFiles(workspace, globs) {
    const tracked = (await workspace.git.out(['ls-files', '-z'])).split('\0').filter(Boolean);
    const matches = (0,glob/* globList */.Xq)(globs);
    return tracked.filter((file) => matches(file));
}
/**
 * Edits the checkout's files in place. Every image must be found in some file: a typo in
 * an image name is an error, not a silent no-op.
 */
async function applyBump(workspace, config) {
    const files = await selectFiles(workspace, config.files);
    if (config.images.length > 0 && files.length === 0)
        throw new Error(`files (${config.files.join(', ')}) matched no file in ${config.branch}`);
    const found = new Set();
    const result = { changedFiles: [], edits: [] };
    const setFiles = [...new Set(config.sets.map((set) => set.file))];
    for (const file of [...new Set([...files, ...setFiles])]) {
        const path = cloneFile(workspace, file, files.includes(file) ? 'files' : 'set');
        let source;
        try {
            source = (0,external_node_fs_.readFileSync)(path, 'utf8');
        }
        catch {
            throw new Error(`set names ${file}, which is not in ${config.branch}`);
        }
        const edits = [];
        if (files.includes(file)) {
            const plan = planImageEdits(source, config.images, file);
            for (const name of plan.found)
                found.add(name);
            edits.push(...plan.edits);
        }
        for (const set of config.sets.filter((entry) => entry.file === file))
            edits.push(planSetEdit(source, set.path, set.value, file));
        const edited = applyEdits(source, edits);
        if (edited !== source) {
            (0,external_node_fs_.writeFileSync)(path, edited);
            result.changedFiles.push(file);
            result.edits.push(...edits.filter((edit) => edit.end > edit.start).map((edit) => ({ file, where: edit.where })));
        }
    }
    const missing = config.images.filter((image) => !found.has(image.name));
    if (missing.length > 0) {
        throw new Error(`no reference to ${missing.map((image) => image.name).join(', ')} in ${files.join(', ')}`);
    }
    return result;
}
/**
 * A file of the clone to edit: inside it as written, and a regular file, never a symbolic
 * link, which could lead the write anywhere on the runner (git tracks the link, not its target).
 */
function cloneFile(workspace, file, input) {
    const path = (0,paths/* confinedPath */.OR)(input, file, { roots: [workspace.dir] });
    if ((0,external_node_fs_.existsSync)(path) && (0,external_node_fs_.lstatSync)(path).isSymbolicLink()) {
        throw new errors/* InputError */.d(input, `names ${file}, a symbolic link in the GitOps repository; only regular files are edited`);
    }
    return path;
}
function imagesSummary(config) {
    return (config.images.map(image_spec/* describeImage */.hu).join(', ') || config.sets.map((set) => `${set.file}:${set.path}=${set.value}`).join(', '));
}
/** The commit message with placeholders filled, and the trailers that make the log an audit trail. */
function commitArgs(config, runUrl, sha) {
    const message = config.commitMessage
        .replaceAll('{images}', imagesSummary(config))
        .replaceAll('{sha}', sha)
        .replaceAll('{run-url}', runUrl);
    const imagesTrailer = config.images
        .map((image) => (image.digest ? `${image.name}@${image.digest}` : `${image.name}=${image.tag ?? ''}`))
        .join(', ');
    return [
        'commit',
        '--quiet',
        '--no-verify',
        '-m',
        message,
        '--trailer',
        `Deploy-Actions-Images: ${imagesTrailer || '(set only)'}`,
        '--trailer',
        `Deploy-Actions-Run: ${runUrl}`,
    ];
}


/***/ })

};
