#!/usr/bin/env node
// Independent OCPP 1.6J charge point (ocpp-rpc, strict mode) for end-to-end checks of the server.
//
//   node ocpp16-session.mjs <wsBaseUrl> <identity> <idTag> [password]
//   e.g. node ocpp16-session.mjs ws://127.0.0.1:8081/OCPP CP1 TAG1 secret
//
// strictMode: every CALLRESULT and every server CALL is validated by ocpp-rpc against its own
// OCPP 1.6 JSON schemas; a schema violation fails the session.
//
// Optional TLS via environment: OCPP_CA_CERT (PEM of the CA to trust),
// OCPP_CLIENT_CERT + OCPP_CLIENT_KEY (PEM, mutual TLS / security profile 3).
//
// Output: exactly one JSON line on stdout at the end:
//   {"ok":true,"transactionId":N,"results":{...},...}   exit 0
//   {"ok":false,"error":"...",...}                     exit 1
// The whole run is bounded by OCPP_SESSION_TIMEOUT_MS (default 20000).

import { readFileSync } from 'node:fs';
import rpc from 'ocpp-rpc';

const { RPCClient } = rpc;

const [wsBase, identity, idTag, password] = process.argv.slice(2);
const TIMEOUT_MS = Number(process.env.OCPP_SESSION_TIMEOUT_MS || 20000);

const results = {};
const serverCalls = [];
const problems = [];
let client;
let finished = false;

function finish(ok, extra) {
  if (finished) return;
  finished = true;
  const line = { ok, ...extra, protocol: client?.protocol ?? null, results, serverCalls };
  if (problems.length) line.problems = problems;
  process.stdout.write(JSON.stringify(line) + '\n');
  process.exitCode = ok ? 0 : 1;
  const exit = () => process.exit(ok ? 0 : 1);
  // close politely, but never hang on it
  setTimeout(exit, 1500);
  if (client) {
    client.close({ code: 1000, force: !ok }).then(exit, exit);
  } else {
    exit();
  }
}

function fail(err) {
  const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  process.stderr.write(`ocpp16-session failed: ${err?.stack ?? error}\n`);
  const extra = { error };
  if (err?.rpcErrorCode) extra.rpcErrorCode = err.rpcErrorCode;
  if (err?.details && Object.keys(err.details).length) extra.details = err.details;
  if (err?.code !== undefined) extra.code = err.code; // e.g. HTTP status of a refused upgrade
  finish(false, extra);
}

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

// not unref'd: keeps the process alive (and bounded) whatever happens to the socket
const overall = setTimeout(() => fail(new Error(`session timed out after ${TIMEOUT_MS} ms`)), TIMEOUT_MS);

process.on('unhandledRejection', fail);
process.on('uncaughtException', fail);

async function main() {
  if (!wsBase || !identity || !idTag) {
    throw new Error('usage: node ocpp16-session.mjs <wsBaseUrl> <identity> <idTag> [password]');
  }

  const wsOpts = {};
  if (process.env.OCPP_CA_CERT) wsOpts.ca = readFileSync(process.env.OCPP_CA_CERT, 'utf8');
  if (process.env.OCPP_CLIENT_CERT) wsOpts.cert = readFileSync(process.env.OCPP_CLIENT_CERT, 'utf8');
  if (process.env.OCPP_CLIENT_KEY) wsOpts.key = readFileSync(process.env.OCPP_CLIENT_KEY, 'utf8');

  client = new RPCClient({
    endpoint: wsBase.replace(/\/+$/, ''),
    identity,
    password: password ? password : undefined,
    protocols: ['ocpp1.6'],
    strictMode: true,
    reconnect: false,
    callTimeoutMs: 10000,
    wsOpts,
  });

  // anything the server sends that ocpp-rpc cannot accept is a failure of the server
  client.on('badMessage', ({ buffer, error }) => {
    problems.push({ kind: 'badMessage', error: String(error?.message ?? error), message: buffer?.toString() });
  });
  client.on('strictValidationFailure', ({ error, method, outbound, isCall, params, result }) => {
    // inbound CALLs and inbound results are the server's responsibility; outbound ones are ours
    problems.push({
      kind: 'strictValidationFailure', method, outbound, isCall,
      error: String(error?.message ?? error), params, result,
    });
  });
  client.on('call', ({ outbound, payload }) => {
    if (!outbound) serverCalls.push(payload[2]);
  });

  client.handle('Reset', ({ params }) => {
    results.reset = params;
    return { status: 'Accepted' };
  });

  await client.connect();
  expect(client.protocol === 'ocpp1.6', `server selected subprotocol '${client.protocol}'`);

  const boot = await client.call('BootNotification', {
    chargePointVendor: 'ocpp-rpc',
    chargePointModel: 'e2e-node',
    chargePointSerialNumber: `SN-${identity}`.slice(0, 25),
    firmwareVersion: '1.0.0',
  });
  results.boot = boot;
  expect(boot.status === 'Accepted', `BootNotification status ${boot.status}`);

  results.status = await client.call('StatusNotification', {
    connectorId: 1,
    errorCode: 'NoError',
    status: 'Available',
    timestamp: new Date().toISOString(),
  });

  const auth = await client.call('Authorize', { idTag });
  results.authorize = auth;
  expect(auth.idTagInfo?.status === 'Accepted', `Authorize idTagInfo.status ${auth.idTagInfo?.status}`);

  const start = await client.call('StartTransaction', {
    connectorId: 1,
    idTag,
    meterStart: 1000,
    timestamp: new Date().toISOString(),
  });
  results.start = start;
  expect(Number.isInteger(start.transactionId), `StartTransaction transactionId ${start.transactionId}`);
  expect(start.idTagInfo?.status === 'Accepted', `StartTransaction idTagInfo.status ${start.idTagInfo?.status}`);
  const transactionId = start.transactionId;

  results.charging = await client.call('StatusNotification', {
    connectorId: 1,
    errorCode: 'NoError',
    status: 'Charging',
    timestamp: new Date().toISOString(),
  });

  const t0 = Date.now();
  const perPhaseW = (kw) => (kw * 1000 / 3).toFixed(1);
  const sample = (i, wh, kw, soc) => ({
    timestamp: new Date(t0 + i * 1000).toISOString(),
    sampledValue: [
      { value: String(wh), context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', unit: 'Wh', location: 'Outlet' },
      { value: perPhaseW(kw), context: 'Sample.Periodic', measurand: 'Power.Active.Import', unit: 'W', phase: 'L1' },
      { value: perPhaseW(kw), context: 'Sample.Periodic', measurand: 'Power.Active.Import', unit: 'W', phase: 'L2' },
      { value: perPhaseW(kw), context: 'Sample.Periodic', measurand: 'Power.Active.Import', unit: 'W', phase: 'L3' },
      { value: String(soc), context: 'Sample.Periodic', measurand: 'SoC', unit: 'Percent', location: 'EV' },
    ],
  });
  results.meterValues = await client.call('MeterValues', {
    connectorId: 1,
    transactionId,
    meterValue: [sample(0, 2000, 11, 40), sample(1, 3000, 11, 45), sample(2, 4000, 7.2, 50)],
  });

  const stop = await client.call('StopTransaction', {
    transactionId,
    idTag,
    meterStop: 5000,
    timestamp: new Date().toISOString(),
    reason: 'Local',
  });
  results.stop = stop;
  if (stop.idTagInfo !== undefined) {
    expect(stop.idTagInfo.status === 'Accepted', `StopTransaction idTagInfo.status ${stop.idTagInfo.status}`);
  }

  results.heartbeat = await client.call('Heartbeat', {});
  expect(!Number.isNaN(Date.parse(results.heartbeat.currentTime)), 'Heartbeat currentTime');

  // give a server-initiated CALL sent right after the last reply a moment to arrive and be checked
  await new Promise((r) => setTimeout(r, 200));

  const serverProblems = problems.filter((p) => p.kind === 'badMessage' || !p.outbound);
  expect(serverProblems.length === 0, `server sent invalid frames: ${JSON.stringify(serverProblems)}`);

  clearTimeout(overall);
  finish(true, { transactionId });
}

main().catch(fail);
