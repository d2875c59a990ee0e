export const id = 35;
export const ids = [35];
export const modules = {

/***/ 8035:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  parseServicesFile: () => (/* binding */ parseServicesFile)
});

// UNUSED EXPORTS: parseToolchain

// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
// EXTERNAL MODULE: ./.build/packages/shared/errors.js
var errors = __webpack_require__(135);
// EXTERNAL MODULE: ./.build/packages/shared/glob.js
var glob = __webpack_require__(262);
;// CONCATENATED MODULE: ./.build/packages/shared/image-ref.js
/** Registry hosts, repositories, tags and digests as the distribution spec defines them. */
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/;
const IPV6_HOST = /^\[[0-9a-f:]+\](?::\d{1,5})?$/;
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const isRegistryHost = (text) => HOST.test(text) || IPV6_HOST.test(text);
const isRepository = (text) => text.length <= 255 && REPOSITORY.test(text);
const isTag = (text) => TAG.test(text);
const isDigest = (text) => DIGEST.test(text);
/**
 * An image reference as docker reads it: `[host[:port]/]path[:tag][@sha256:...]`, the host
 * told apart by a dot, a port or `localhost` in the first component.
 */
function isImageReference(text) {
    let rest = text;
    const at = rest.indexOf('@');
    if (at >= 0) {
        if (!isDigest(rest.slice(at + 1)))
            return false;
        rest = rest.slice(0, at);
    }
    const colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
        if (!isTag(rest.slice(colon + 1)))
            return false;
        rest = rest.slice(0, colon);
    }
    const [first = '', ...others] = rest.split('/');
    if (others.length > 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
        return isRegistryHost(first) && isRepository(others.join('/'));
    }
    return isRepository(rest);
}
/** Loopback registries speak plain HTTP, as Docker allows for 127.0.0.0/8 by default. */
function isLoopbackRegistry(registry) {
    const host = registry.startsWith('[') ? registry.slice(0, registry.indexOf(']') + 1) : (registry.split(':')[0] ?? '');
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
function registryBaseUrl(registry) {
    return `${isLoopbackRegistry(registry) ? 'http' : 'https'}://${registry}`;
}
/** `registry/repository:tag` or `registry/repository@sha256:...`. */
function imageRef(registry, repository, tagOrDigest) {
    const base = `${registry}/${repository}`;
    if (tagOrDigest === undefined)
        return base;
    return isDigest(tagOrDigest) ? `${base}@${tagOrDigest}` : `${base}:${tagOrDigest}`;
}

// EXTERNAL MODULE: ./.build/actions/build-matrix/commands.js
var build_matrix_commands = __webpack_require__(7943);
;// CONCATENATED MODULE: ./.build/actions/build-matrix/services-file.js





const SERVICE_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const SERVICE_KEYS = new Set(['path', 'toolchain', 'commands', 'watch', 'ignore', 'depends-on', 'dockerfile', 'context']);
const TOP_KEYS = new Set(['registry', 'repository-prefix', 'shared', 'ignore', 'services']);
/**
 * Parses and checks a services file. Every problem is one line naming the input (`config`
 * or `services`) and the exact key, so a typo is found before anything is built.
 */
function parseServicesFile(input, text) {
    const fail = (detail) => new errors/* InputError */.d(input, detail);
    let document;
    try {
        document = (0,dist/* parse */.qg)(text);
    }
    catch (error) {
        throw fail(`is not valid YAML: ${error.message.split('\n')[0] ?? ''}`);
    }
    if (!isRecord(document))
        throw fail('must be a YAML mapping with registry and services');
    for (const key of Object.keys(document))
        if (!TOP_KEYS.has(key))
            throw fail(`has an unknown key "${key}"`);
    const registry = document.registry;
    if (typeof registry !== 'string' || !isRegistryHost(registry)) {
        throw fail('registry must be a registry host such as myacr.azurecr.io or 127.0.0.1:5000');
    }
    const prefix = document['repository-prefix'] ?? '';
    if (typeof prefix !== 'string' || (prefix !== '' && !/^[a-z0-9]+(?:[._/-][a-z0-9]+)*$/.test(prefix))) {
        throw fail('repository-prefix must be lowercase letters, digits and . _ - / separators');
    }
    const shared = globs(document.shared, 'shared', fail);
    const ignore = globs(document.ignore, 'ignore', fail);
    if (!isRecord(document.services) || Object.keys(document.services).length === 0) {
        throw fail('services must map at least one service name to its settings');
    }
    const services = Object.entries(document.services).map(([name, raw]) => parseService(name, raw, fail));
    checkDependencies(services, fail);
    return { registry: registry.toLowerCase(), repositoryPrefix: prefix, shared, ignore, services };
}
function parseService(name, raw, fail) {
    const at = `services.${name}`;
    if (!SERVICE_NAME.test(name))
        throw fail(`${at}: a service name must be lowercase letters and digits, with . _ - between`);
    if (!isRecord(raw))
        throw fail(`${at} must be a mapping with at least path`);
    for (const key of Object.keys(raw))
        if (!SERVICE_KEYS.has(key))
            throw fail(`${at} has an unknown key "${key}"`);
    const path = normalisePath(raw.path);
    if (path === undefined)
        throw fail(`${at}.path must be a relative folder such as ${name}`);
    const context = raw.context === undefined ? path : normalisePath(raw.context);
    if (context === undefined)
        throw fail(`${at}.context must be a relative folder`);
    const dockerfile = raw.dockerfile === undefined ? `${path === '.' ? '' : `${path}/`}Dockerfile` : normalisePath(raw.dockerfile);
    if (dockerfile === undefined)
        throw fail(`${at}.dockerfile must be a relative file path`);
    const commands = Object.fromEntries(build_matrix_commands/* COMMANDS */.L.map((command) => [command, '']));
    if (raw.commands !== undefined) {
        if (!isRecord(raw.commands))
            throw fail(`${at}.commands must map ${build_matrix_commands/* COMMANDS */.L.join(', ')} to shell commands`);
        for (const [command, value] of Object.entries(raw.commands)) {
            if (!build_matrix_commands/* COMMANDS */.L.includes(command)) {
                throw fail(`${at}.commands has an unknown command "${command}"; allowed: ${build_matrix_commands/* COMMANDS */.L.join(', ')}`);
            }
            if (typeof value !== 'string')
                throw fail(`${at}.commands.${command} must be a string`);
            commands[command] = value;
        }
    }
    return {
        name,
        path,
        context,
        dockerfile,
        toolchain: parseToolchain(raw.toolchain, `${at}.toolchain`, fail),
        commands,
        watch: globs(raw.watch, `${at}.watch`, fail),
        ignore: globs(raw.ignore, `${at}.ignore`, fail),
        dependsOn: stringList(raw['depends-on'], `${at}.depends-on`, fail),
    };
}
/** A list of globs (a `!` one excludes what those before it matched), each checked. */
function globs(raw, at, fail) {
    const list = stringList(raw, at, fail);
    for (const pattern of list) {
        const problem = (0,glob/* globProblem */.AI)(pattern.startsWith('!') ? pattern.slice(1) : pattern);
        if (problem !== undefined)
            throw fail(`${at}: the glob ${JSON.stringify(pattern)} ${problem}`);
    }
    return list;
}
function parseToolchain(raw, at, fail) {
    const spec = raw ?? 'none';
    if (spec === 'none')
        return { spec: 'none', name: 'none', version: '' };
    const match = typeof spec === 'string' ? /^(node|java)@(\d+(?:\.\d+){0,2})$/.exec(spec) : null;
    if (!match)
        throw fail(`${at} must be node@N, java@N or none; got ${JSON.stringify(spec)}`);
    return { spec: spec, name: match[1], version: match[2] ?? '' };
}
function checkDependencies(services, fail) {
    const names = new Set(services.map((service) => service.name));
    for (const service of services) {
        for (const dependency of service.dependsOn) {
            if (!names.has(dependency)) {
                throw fail(`services.${service.name}.depends-on names "${dependency}", which is not a service (known: ${[...names].join(', ')})`);
            }
        }
    }
    // Depth-first search; the grey set holds the current path, so meeting it again is a cycle.
    const byName = new Map(services.map((service) => [service.name, service]));
    const done = new Set();
    const visit = (name, path) => {
        if (done.has(name))
            return;
        const start = path.indexOf(name);
        if (start >= 0)
            throw fail(`services have a depends-on cycle: ${[...path.slice(start), name].join(' -> ')}`);
        for (const dependency of byName.get(name)?.dependsOn ?? [])
            visit(dependency, [...path, name]);
        done.add(name);
    };
    for (const service of services)
        visit(service.name, []);
}
function normalisePath(raw) {
    if (typeof raw !== 'string')
        return undefined;
    const path = raw.trim().replace(/^\.\//, '').replace(/\/+$/, '') || '.';
    if (path.startsWith('/') || path.split('/').includes('..'))
        return undefined;
    return path;
}
function stringList(raw, at, fail) {
    if (raw === undefined || raw === null)
        return [];
    if (!Array.isArray(raw) || raw.some((item) => typeof item !== 'string' || item === '')) {
        throw fail(`${at} must be a list of strings`);
    }
    return raw;
}
function isRecord(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
}


/***/ })

};
