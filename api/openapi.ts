/**
 * The OpenAPI 3.1 document, generated from the route table (routes.ts) with zod's own JSON
 * Schema output, and a small server-rendered reference page of it.
 */
import { z } from 'zod';
import { ROUTES, type RouteDef } from './routes';

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest;
};

function operation(r: RouteDef): Record<string, unknown> {
  const params = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const query = r.query
    ? Object.entries(
        (jsonSchema(r.query, 'input')['properties'] ?? {}) as Record<string, unknown>,
      ).map(([name, schema]) => ({ name, in: 'query', required: false, schema }))
    : [];
  const responses = Object.fromEntries(
    Object.entries(r.responses).map(([status, res]) => [
      status,
      {
        description: res.description,
        ...(res.schema
          ? { content: { 'application/json': { schema: jsonSchema(res.schema, 'output') } } }
          : res.contentType
            ? { content: { [res.contentType]: {} } }
            : {}),
      },
    ]),
  );
  return {
    summary: r.summary,
    tags: [r.tag],
    security: [{ bearer: [] }],
    parameters: [...params, ...query],
    ...(r.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(r.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** The document served at /openapi.json. */
export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[r.method] = operation(r);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'linkedin-2fa-keeper control plane',
      version,
      description:
        'Keeps LinkedIn accounts connected behind two-step verification. Every route but the health checks needs `Authorization: Bearer <token>`; a token sees only its tenant.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths: {
      '/healthz': {
        get: { summary: 'The process is up', responses: { 200: { description: 'ok' } } },
      },
      '/readyz': {
        get: {
          summary: 'Redis, the database and at least one worker are reachable',
          responses: { 200: { description: 'ready' }, 503: { description: 'not ready' } },
        },
      },
      ...paths,
    },
  };
}

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A plain HTML reference of the routes (the document itself is at /openapi.json). */
export function referencePage(version: string): string {
  const rows = ROUTES.map((r) => {
    const body = r.body
      ? `<pre>${escape(JSON.stringify(jsonSchema(r.body, 'input'), null, 2))}</pre>`
      : '';
    const statuses = Object.entries(r.responses)
      .map(([s, res]) => `<li><code>${s}</code> ${escape(res.description)}</li>`)
      .join('');
    return `<section><h2><code>${r.method.toUpperCase()} ${escape(r.path)}</code></h2><p>${escape(r.summary)}</p>${body}<ul>${statuses}</ul></section>`;
  }).join('\n');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>API reference</title>
<style>body{font-family:sans-serif;max-width:900px;margin:2em auto;padding:0 1em}pre{background:#f4f4f4;padding:.5em;overflow:auto}</style>
</head><body><h1>linkedin-2fa-keeper API ${escape(version)}</h1>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Authenticate with <code>Authorization: Bearer &lt;token&gt;</code>.</p>
${rows}</body></html>`;
}
