import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DashboardsImportError,
  importDashboards,
  readSavedObjects,
} from '../../src/telemetry/dashboards-import.js';
import { STREAM_FIELDS } from '../../src/telemetry/index-templates.js';
import type { TelemetryStream } from '../../src/telemetry/sink.js';

interface SavedObject {
  id: string;
  type: string;
  attributes: Record<string, unknown> & { title: string };
  references: { name: string; type: string; id: string }[];
}

const parseObjects = (ndjson: string): SavedObject[] =>
  ndjson
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as SavedObject);

/** Every field a visualization's aggregations or vega spec reads, with the aggregation that reads it. */
function fieldsRead(object: SavedObject): { field: string; agg: string }[] {
  const visState = JSON.parse(object.attributes.visState as string) as {
    type: string;
    aggs: { type: string; params: Record<string, unknown> }[];
    params: { spec?: string };
  };
  const fields: { field: string; agg: string }[] = [];
  for (const agg of visState.aggs) {
    const params = agg.params as {
      field?: string;
      customMetric?: { type: string; params: { field?: string } };
      sortField?: string;
    };
    if (params.field) fields.push({ field: params.field, agg: agg.type });
    if (params.customMetric?.params.field)
      fields.push({ field: params.customMetric.params.field, agg: params.customMetric.type });
    if (params.sortField) fields.push({ field: params.sortField, agg: 'sort' });
  }
  if (visState.type === 'vega') {
    const spec = JSON.parse(visState.params.spec!) as { data: { url: { body: { _source: string[] } } } };
    for (const field of spec.data.url.body._source) fields.push({ field, agg: 'vega' });
  }
  return fields;
}

test('the saved objects hold the four index patterns, the paper-trading and studies panels, and two dashboards that show them all', async () => {
  const objects = parseObjects(await readSavedObjects());
  const byType = (type: string) => objects.filter((object) => object.type === type);
  assert.deepEqual(
    byType('index-pattern')
      .map((object) => object.attributes.title)
      .sort(),
    ['alpha15-predictions*', 'alpha15-runs*', 'alpha15-ticks*', 'alpha15-trades*'],
  );
  for (const pattern of byType('index-pattern')) assert.equal(pattern.attributes.timeFieldName, '@timestamp');
  const titles = byType('visualization').map((object) => object.attributes.title);
  for (const wanted of [
    /cumulative net pnl/i,
    /pnl by pair/i,
    /prediction vs realised/i,
    /trades per pair/i,
    /latest predictions vs thresholds/i,
    /trial validation ic/i,
    /best trial validation ic by study/i,
    /trials per study/i,
    /runs per kind/i,
  ]) {
    assert.ok(
      titles.some((title) => wanted.test(title)),
      `a panel matching ${wanted}`,
    );
  }
  const dashboards = byType('dashboard');
  assert.deepEqual(dashboards.map((dashboard) => dashboard.attributes.title).sort(), [
    'alpha15 paper trading',
    'alpha15 studies',
  ]);
  assert.deepEqual(
    dashboards.flatMap((dashboard) => dashboard.references.map((reference) => reference.id)).sort(),
    byType('visualization')
      .map((object) => object.id)
      .sort(),
    'every panel is on exactly one dashboard',
  );
  for (const dashboard of dashboards) {
    const panels = JSON.parse(dashboard.attributes.panelsJSON as string) as { panelRefName: string }[];
    assert.deepEqual(
      panels.map((panel) => panel.panelRefName).sort(),
      dashboard.references.map((reference) => reference.name).sort(),
    );
  }
  const studies = dashboards.find((dashboard) => dashboard.id === 'alpha15-studies')!;
  for (const reference of studies.references) {
    const panel = objects.find((object) => object.id === reference.id)!;
    assert.deepEqual(
      panel.references.map((ref) => ref.id),
      ['alpha15-runs'],
      `${panel.id} reads the runs index`,
    );
  }
});

test('every field a panel reads exists in its index template, and every summed or plotted number is a double', async () => {
  const objects = parseObjects(await readSavedObjects());
  for (const object of objects.filter((candidate) => candidate.type === 'visualization')) {
    const patternId = object.references.find((reference) => reference.type === 'index-pattern')?.id;
    const visState = JSON.parse(object.attributes.visState as string) as { type: string };
    const stream = (
      visState.type === 'vega' ? 'trades' : patternId!.replace('alpha15-', '')
    ) as TelemetryStream;
    const mapping = STREAM_FIELDS[stream];
    for (const { field, agg } of fieldsRead(object)) {
      assert.ok(mapping[field], `${object.id} reads ${field}, which ${stream} does not map`);
      if (['sum', 'avg', 'vega'].includes(agg) && !['symbol', 'side', 'status'].includes(field)) {
        assert.equal(mapping[field], 'double', `${object.id}: ${agg} of ${field}`);
      }
    }
  }
});

test('a configured index prefix is substituted consistently in ids, titles and references', async () => {
  const objects = parseObjects(await readSavedObjects('desk-7'));
  const ids = new Set(objects.map((object) => object.id));
  assert.ok(objects.every((object) => !JSON.stringify(object).includes('alpha15-')));
  for (const object of objects)
    for (const reference of object.references) assert.ok(ids.has(reference.id), reference.id);
});

test('dashboards import posts the ndjson to the saved-objects import API with overwrite and the osd-xsrf header', async (t) => {
  const received: { url?: string; method?: string; xsrf?: string | string[]; body?: string } = {};
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    Object.assign(received, {
      url: request.url,
      method: request.method,
      xsrf: request.headers['osd-xsrf'],
      body,
    });
    // the saved objects travel as the file part of a multipart form, one object per line
    const count = body.split('\n').filter((line) => line.startsWith('{"id":')).length;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ success: true, successCount: count }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  const result = await importDashboards({ dashboardsUrl: `http://127.0.0.1:${port}/` });
  assert.equal(received.method, 'POST');
  assert.equal(received.url, '/api/saved_objects/_import?overwrite=true');
  assert.equal(received.xsrf, 'true');
  assert.match(received.body!, /filename="alpha15.ndjson"/);
  assert.equal(result.successCount, parseObjects(await readSavedObjects()).length);
});

test('a partly rejected import is an error naming the objects Dashboards refused', async (t) => {
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        success: false,
        successCount: 8,
        errors: [
          {
            id: 'alpha15-prediction-vs-realised',
            type: 'visualization',
            error: { type: 'missing_references' },
          },
        ],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  await assert.rejects(importDashboards({ dashboardsUrl: `http://127.0.0.1:${port}` }), (error: Error) => {
    assert.ok(error instanceof DashboardsImportError);
    assert.match(error.message, /visualization\/alpha15-prediction-vs-realised: missing_references/);
    return true;
  });
});
