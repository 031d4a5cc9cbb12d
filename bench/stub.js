#!/usr/bin/env node
// A minimal Genesys Cloud stand-in for the benchmark: the OAuth token endpoint and the Data Action execute endpoint,
// with scripted answers per correlation id, and a log of every execute request with a high-resolution arrival time.
//
// Usage: node stub.js --port-file FILE [--script 503,200] [--script-field stubScript] [--latency-ms 20]
//                     [--retry-after 60] [--client-id bench --client-secret bench-secret]
//
//   --script       statuses answered to the 1st, 2nd, ... request of each correlation id; the last one repeats
//                  (default "200")
//   --script-field a request body (the retry's requestPayload) with this field, a script such as "503,200", is
//                  answered by that script instead of --script: each retry can have a fate of its own
//   --latency-ms   how long each execute request is held before it is answered (default 0: at once)
//   --retry-after  Retry-After header (seconds) sent with every 429 and 503 answer (default: none)
//
// Control endpoints (benchmark only, bound to 127.0.0.1):
//   GET  /__log    {tokenRequests, tokenTimes[], executes: [[arrivalEpochMs, correlationId, answeredStatus, heldMs], ...]}
//   GET  /__stats  {tokenRequests, executes}: the counts only, cheap to poll
//   POST /__reset  clears the execute log and the per-correlation counters (the token count is kept)
//
// Times are epoch milliseconds with sub-millisecond resolution: performance.timeOrigin (a wall-clock reading taken
// when the process started, microsecond precision) plus performance.now() (monotonic). The service's Instant.now()
// reads the same machine's wall clock, so the two can be subtracted.
'use strict';

const http = require('node:http');
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');

function parseArgs(argv) {
  const args = { script: '200', scriptField: null, latencyMs: 0, retryAfter: null, portFile: null, clientId: 'bench', clientSecret: 'bench-secret' };
  for (let i = 2; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (name === '--script') args.script = value;
    else if (name === '--script-field') args.scriptField = value;
    else if (name === '--latency-ms') args.latencyMs = Number(value);
    else if (name === '--retry-after') args.retryAfter = value;
    else if (name === '--port-file') args.portFile = value;
    else if (name === '--client-id') args.clientId = value;
    else if (name === '--client-secret') args.clientSecret = value;
    else throw new Error(`unknown argument ${name}`);
  }
  args.statuses = statusesOf(args.script);
  if (!args.statuses) throw new Error(`bad --script ${args.script}`);
  return args;
}

function statusesOf(script) {
  const statuses = String(script).split(',').map(Number);
  return statuses.some((s) => !(s >= 200 && s < 600)) ? null : statuses;
}

// The script a request's body asks for with --script-field, or --script.
function scriptOf(body) {
  if (args.scriptField === null) return args.statuses;
  try {
    const asked = JSON.parse(body)[args.scriptField];
    return (asked !== undefined && statusesOf(asked)) || args.statuses;
  } catch {
    return args.statuses;
  }
}

// Genesys' error code for each status the stub answers with.
const ERROR_CODES = { 400: 'bad.request', 404: 'not.found', 429: 'too.many.requests' };

const args = parseArgs(process.argv);
const expectedBasic = 'Basic ' + Buffer.from(`${args.clientId}:${args.clientSecret}`).toString('base64');
const nowMs = () => performance.timeOrigin + performance.now();

let tokenRequests = 0;
const tokenTimes = [];
let executes = []; // [arrivalMs, correlationId, status, heldMs]
let seen = new Map(); // correlationId -> requests so far

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

// Reads the request body (bounded) and calls back with it.
function readBody(req, done) {
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size <= 1 << 20) chunks.push(chunk);
  });
  req.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
}

const EXECUTE = /^\/api\/v2\/integrations\/actions\/([A-Za-z0-9_-]+)\/execute$/;

const server = http.createServer((req, res) => {
  const arrival = nowMs(); // taken first, before anything else is done with the request
  const path = req.url.split('?')[0];

  if (req.method === 'POST' && path === '/oauth/token') {
    readBody(req, (body) => {
      tokenRequests++;
      tokenTimes.push(arrival);
      const grant = new URLSearchParams(body).get('grant_type');
      if (req.headers.authorization !== expectedBasic || grant !== 'client_credentials') {
        return send(res, 401, { error: 'invalid_client' });
      }
      send(res, 200, { access_token: `bench-token-${tokenRequests}`, token_type: 'bearer', expires_in: 86400 });
    });
    return;
  }

  const execute = req.method === 'POST' && EXECUTE.exec(path);
  if (execute) {
    readBody(req, (body) => {
      const correlationId = req.headers['inin-correlation-id'] || '';
      const n = seen.get(correlationId) || 0;
      seen.set(correlationId, n + 1);
      const statuses = scriptOf(body);
      const status = statuses[Math.min(n, statuses.length - 1)];
      const entry = [arrival, correlationId, status, 0];
      executes.push(entry);
      const answer = () => {
        entry[3] = nowMs() - arrival;
        if (status >= 200 && status < 300) {
          return send(res, status, { actionId: execute[1], result: 'ok' }, { 'ININ-Correlation-Id': correlationId });
        }
        const headers = { 'ININ-Correlation-Id': correlationId };
        if (args.retryAfter !== null && (status === 429 || status === 503)) headers['Retry-After'] = args.retryAfter;
        send(res, status, { message: `scripted ${status}`, code: ERROR_CODES[status] || 'service.unavailable', status, contextId: correlationId }, headers);
      };
      if (args.latencyMs > 0) setTimeout(answer, args.latencyMs);
      else answer();
    });
    return;
  }

  if (req.method === 'GET' && path === '/__log') {
    return send(res, 200, { tokenRequests, tokenTimes, executes });
  }
  if (req.method === 'GET' && path === '/__stats') {
    return send(res, 200, { tokenRequests, executes: executes.length });
  }
  if (req.method === 'POST' && path === '/__reset') {
    executes = [];
    seen = new Map();
    return send(res, 200, { ok: true });
  }
  send(res, 404, { message: `no route ${req.method} ${path}` });
});

server.keepAliveTimeout = 60_000; // the service keeps its connections; don't close them under it
server.headersTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  if (args.portFile) fs.writeFileSync(args.portFile, String(port));
  console.log(`stub listening on 127.0.0.1:${port} script=${args.script} scriptField=${args.scriptField} latencyMs=${args.latencyMs} retryAfter=${args.retryAfter}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    console.log(`stub stopping: ${tokenRequests} token requests, ${executes.length} execute requests in the current log`);
    server.close();
    process.exit(0);
  });
}
