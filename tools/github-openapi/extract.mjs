#!/usr/bin/env node
// Extract the GitHub REST operations tfnotify uses from the official OpenAPI
// description shipped in the npm package `@octokit/openapi`, into a small JSON
// subset that the test fake (`tests/common/fake_github/`) validates against.
//
// Usage: node tools/github-openapi/extract.mjs <path/to/api.github.com.json> [out.json]
// See README.md next to this file.
import { readFileSync, writeFileSync } from "node:fs";

const [, , input, output = "tests/fixtures/github-openapi/subset.json"] = process.argv;
if (!input) {
  console.error("usage: extract.mjs <api.github.com.json> [out.json]");
  process.exit(2);
}
const spec = JSON.parse(readFileSync(input, "utf8"));

// (method, path) pairs we call or fake.
const OPERATIONS = [
  ["get", "/repos/{owner}/{repo}/issues/{issue_number}/comments"],
  ["post", "/repos/{owner}/{repo}/issues/{issue_number}/comments"],
  ["get", "/repos/{owner}/{repo}/issues/comments/{comment_id}"],
  ["patch", "/repos/{owner}/{repo}/issues/comments/{comment_id}"],
  ["delete", "/repos/{owner}/{repo}/issues/comments/{comment_id}"],
  ["post", "/repos/{owner}/{repo}/commits/{commit_sha}/comments"],
  ["get", "/repos/{owner}/{repo}/commits/{commit_sha}/pulls"],
  ["get", "/repos/{owner}/{repo}/pulls/{pull_number}"],
  ["get", "/repos/{owner}/{repo}/issues/{issue_number}/labels"],
  ["post", "/repos/{owner}/{repo}/issues/{issue_number}/labels"],
  ["delete", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}"],
  ["get", "/repos/{owner}/{repo}/labels/{name}"],
  ["patch", "/repos/{owner}/{repo}/labels/{name}"],
  ["post", "/repos/{owner}/{repo}/labels"],
  ["get", "/user"],
  ["post", "/repos/{owner}/{repo}/check-runs"],
  ["patch", "/repos/{owner}/{repo}/check-runs/{check_run_id}"],
  ["get", "/repos/{owner}/{repo}/commits/{ref}/check-runs"],
];

// Documentation-only keys, dropped to keep the subset small.
const DROP = new Set([
  "description", "summary", "example", "examples", "externalDocs", "title",
  "x-github", "x-octokit", "tags", "deprecated", "x-multi-segment",
]);

function lookup(ref) {
  if (!ref.startsWith("#/")) throw new Error(`external $ref ${ref}`);
  return ref.slice(2).split("/").reduce((node, key) => node[key.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
}

const schemas = {}; // name -> cleaned schema (filled lazily)
const pending = [];

// Inline every $ref except component schemas, which are kept once under
// `schemas` and referenced as `#/schemas/<name>` (they are recursive in places).
function clean(node) {
  if (Array.isArray(node)) return node.map(clean);
  if (node === null || typeof node !== "object") return node;
  if (typeof node.$ref === "string") {
    const m = node.$ref.match(/^#\/components\/schemas\/(.+)$/);
    if (m) {
      if (!(m[1] in schemas)) {
        schemas[m[1]] = null;
        pending.push(m[1]);
      }
      return { $ref: `#/schemas/${m[1]}` };
    }
    return clean(lookup(node.$ref));
  }
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (DROP.has(k)) continue;
    // `properties` maps names to schemas: never treat a property name as a keyword.
    out[k] = k === "properties" ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, clean(s)])) : clean(v);
  }
  return out;
}

const operations = [];
for (const [method, path] of OPERATIONS) {
  const op = spec.paths[path]?.[method];
  if (!op) throw new Error(`missing ${method.toUpperCase()} ${path}`);
  const parameters = [...(spec.paths[path].parameters ?? []), ...(op.parameters ?? [])]
    .map((p) => clean(p))
    .map(({ name, in: where, required = false, schema }) => ({ name, in: where, required, schema }));
  const body = op.requestBody ? clean(op.requestBody) : null;
  const responses = {};
  for (const [status, resp] of Object.entries(op.responses)) {
    if (!/^2\d\d$/.test(status)) continue;
    const r = clean(resp);
    responses[status] = r.content?.["application/json"]?.schema ?? null;
  }
  operations.push({
    operationId: op.operationId,
    method: method.toUpperCase(),
    path,
    parameters,
    requestBody: body && {
      required: body.required ?? false,
      schema: body.content?.["application/json"]?.schema ?? null,
    },
    responses,
  });
}
while (pending.length) {
  const name = pending.shift();
  schemas[name] = clean(spec.components.schemas[name]);
}

const subset = {
  source: {
    package: "@octokit/openapi",
    version: process.env.OCTOKIT_OPENAPI_VERSION ?? "unknown",
    file: "generated/api.github.com.json",
    openapi: spec.openapi,
    info_version: spec.info?.version,
  },
  operations,
  schemas: Object.fromEntries(Object.keys(schemas).sort().map((k) => [k, schemas[k]])),
};
const text = JSON.stringify(subset, null, 1) + "\n";
writeFileSync(output, text);
console.error(`wrote ${output}: ${operations.length} operations, ${Object.keys(schemas).length} schemas, ${text.length} bytes`);
