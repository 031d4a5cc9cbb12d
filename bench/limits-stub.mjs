#!/usr/bin/env node
// Genesys Cloud stand-in for the limits benchmark (bench/limits.sh): the OAuth token endpoint and the Data Action
// execute endpoint, answering with a status that can be switched while it runs (an outage and its recovery) or with
// an organisation's rate limit, and logging every execute request's start and end.
//
// Usage: node limits-stub.mjs --port-file FILE [--listeners 2] [--status 503] [--latency-ms 20] [--rate-limit 50]
//                             [--retry-after 1] [--client-id bench --client-secret bench-secret]
//
//   --listeners    how many ports to listen on (default 1), written comma-separated to --port-file; all share one state.
//                  Each replica gets a port of its own, so that the log tells which replica sent each request

//   --status       status of every execute answer (default 200); switched at run time with POST /__status
//   --latency-ms   how long each execute request is held before it is answered (default 0)
//   --rate-limit   N > 0: a request is answered 429 when N requests were answered with --status in the second before
//                  it arrived (a sliding one-second window over the requests let through; 429s do not count), else it
//                  gets --status (default 0: no limit)
//   --retry-after  Retry-After (seconds) sent with every rate-limit 429 (default 1)
//
// Control endpoints (benchmark only, bound to 127.0.0.1):
//   POST /__status {"status":200}  answer every later execute request with that status; returns {at}
//   GET  /__stats  {executes, inFlight, maxInFlight, succeededIds, lastSuccessAt}: cheap to poll
//   GET  /__log    {tokenRequests, switches: [{at, status}], executes: [[start, end, status, correlationId, listener], ...]}
//   POST /__reset  clears the execute log and the counters (the token count is kept)
//
// Times are epoch milliseconds with sub-millisecond resolution (performance.timeOrigin + performance.now()). A request
// starts when its headers have arrived and ends when its answer has been handed to the socket; it is in flight between
// the two. The service holds it a little longer on each side, so the stand-in sees at most as many in flight as the
// service has on the wire.
import http from 'node:http';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

function parseArgs(argv) {
  const args = { listeners: 1, status: 200, latencyMs: 0, rateLimit: 0, retryAfter: '1', portFile: null, clientId: 'bench', clientSecret: 'bench-secret' };
  for (let i = 2; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (name === '--listeners') args.listeners = Number(value);
    else if (name === '--status') args.status = Number(value);
    else if (name === '--latency-ms') args.latencyMs = Number(value);
    else if (name === '--rate-limit') args.rateLimit = Number(value);
    else if (name === '--retry-after') args.retryAfter = value;
    else if (name === '--port-file') args.portFile = value;
    else if (name === '--client-id') args.clientId = value;
    else if (name === '--client-secret') args.clientSecret = value;
    else throw new Error(`unknown argument ${name}`);
  }
  if (!(args.status >= 200 && args.status < 600)) throw new Error(`bad --status ${args.status}`);
  return args;
}

const args = parseArgs(process.argv);
const expectedBasic = 'Basic ' + Buffer.from(`${args.clientId}:${args.clientSecret}`).toString('base64');
const nowMs = () => performance.timeOrigin + performance.now();

let status = args.status; // what execute requests are answered now
let tokenRequests = 0;
let switches = [];
let executes = []; // [start, end, status, correlationId, listener]; end is null while in flight
let inFlight = 0;
let maxInFlight = 0;
let succeeded = new Set(); // correlation ids answered 2xx at least once
let lastSuccessAt = null;
let admitted = []; // rate limit: start times of the requests let through in the last second (a queue)
let admittedHead = 0;

function send(res, code, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req, done) {
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size <= 1 << 20) chunks.push(chunk);
  });
  req.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
}

// The rate limit's decision for a request arriving at `t`: true when it is let through.
function admit(t) {
  if (args.rateLimit <= 0) return true;
  while (admittedHead < admitted.length && admitted[admittedHead] <= t - 1000) admittedHead++;
  if (admittedHead > 4096) { admitted = admitted.slice(admittedHead); admittedHead = 0; }
  if (admitted.length - admittedHead >= args.rateLimit) return false;
  admitted.push(t);
  return true;
}

const EXECUTE = /^\/api\/v2\/integrations\/actions\/([A-Za-z0-9_-]+)\/execute$/;

function handle(listener, req, res) {
  const start = nowMs(); // taken first, before anything else is done with the request
  const path = req.url.split('?')[0];

  const execute = req.method === 'POST' && EXECUTE.exec(path);
  if (execute) {
    const correlationId = req.headers['inin-correlation-id'] || '';
    const code = admit(start) ? status : 429; // decided on arrival, in arrival order
    const entry = [start, null, code, correlationId, listener];
    executes.push(entry);
    inFlight++;
    if (inFlight > maxInFlight) maxInFlight = inFlight;
    const finish = () => { // once, whether the answer was sent or the connection dropped
      if (entry[1] !== null) return;
      entry[1] = nowMs();
      inFlight--;
      if (code >= 200 && code < 300) { succeeded.add(correlationId); lastSuccessAt = entry[1]; }
    };
    res.on('finish', finish);
    res.on('close', finish);
    readBody(req, () => {
      const answer = () => {
        const headers = { 'ININ-Correlation-Id': correlationId };
        if (code >= 200 && code < 300) return send(res, code, { actionId: execute[1], result: 'ok' }, headers);
        if (code === 429) headers['Retry-After'] = args.retryAfter;
        send(res, code, { message: `stand-in ${code}`, code: code === 429 ? 'too.many.requests' : 'service.unavailable', status: code, contextId: correlationId }, headers);
      };
      if (args.latencyMs > 0) setTimeout(answer, args.latencyMs);
      else answer();
    });
    return;
  }

  if (req.method === 'POST' && path === '/oauth/token') {
    readBody(req, (body) => {
      tokenRequests++;
      const grant = new URLSearchParams(body).get('grant_type');
      if (req.headers.authorization !== expectedBasic || grant !== 'client_credentials') {
        return send(res, 401, { error: 'invalid_client' });
      }
      send(res, 200, { access_token: `bench-token-${tokenRequests}`, token_type: 'bearer', expires_in: 86400 });
    });
    return;
  }
  if (req.method === 'POST' && path === '/__status') {
    readBody(req, (body) => {
      const next = Number(JSON.parse(body || '{}').status);
      if (!(next >= 200 && next < 600)) return send(res, 400, { message: 'status must be 200..599' });
      status = next;
      const at = nowMs();
      switches.push({ at, status });
      send(res, 200, { at, status });
    });
    return;
  }
  if (req.method === 'GET' && path === '/__stats') {
    return send(res, 200, { executes: executes.length, inFlight, maxInFlight, succeededIds: succeeded.size, lastSuccessAt, tokenRequests });
  }
  if (req.method === 'GET' && path === '/__log') {
    return send(res, 200, { tokenRequests, switches, executes });
  }
  if (req.method === 'POST' && path === '/__reset') {
    executes = [];
    switches = [];
    succeeded = new Set();
    lastSuccessAt = null;
    maxInFlight = inFlight;
    admitted = [];
    admittedHead = 0;
    return send(res, 200, { ok: true });
  }
  send(res, 404, { message: `no route ${req.method} ${path}` });
}

const servers = [];
const ports = [];
for (let listener = 0; listener < args.listeners; listener++) {
  const server = http.createServer((req, res) => handle(listener, req, res));
  server.keepAliveTimeout = 60_000; // the service keeps its connections; don't close them under it
  server.headersTimeout = 65_000;
  servers.push(server);
  server.listen(0, '127.0.0.1', () => {
    ports[listener] = server.address().port;
    if (ports.filter((p) => p).length < args.listeners) return;
    if (args.portFile) fs.writeFileSync(args.portFile, ports.join(','));
    console.log(`limits stand-in on 127.0.0.1:${ports.join(',')} status=${status} latencyMs=${args.latencyMs} rateLimit=${args.rateLimit}`);
  });
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    console.log(`stand-in stopping: ${tokenRequests} token requests, ${executes.length} execute requests in the current log`);
    for (const server of servers) server.close();
    process.exit(0);
  });
}
