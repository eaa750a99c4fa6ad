#!/usr/bin/env node
// Independent OCPP-J charging station (ocpp-rpc, strict mode) for end-to-end checks of the server.
//
//   node ocpp-station.mjs <wsBaseUrl> <identity> <idTag> [password]
//   e.g. OCPP_PROTOCOL=ocpp2.0.1 node ocpp-station.mjs ws://127.0.0.1:8081/OCPP CP1 TAG1 secret
//
// strictMode: every CALLRESULT and every server CALL is validated by ocpp-rpc (ajv) against its
// own copy of the OCPP JSON schemas of the version; a schema violation by the server fails the run.
//
// The run: boot, status, authorize, start a transaction, meter values; then it prints
// {"ready":true,...} and answers every server CALL, and sends the CALLs written to its stdin (see
// hold()), until its stdin ends (at once when stdin is empty); then it ends the transaction,
// heartbeats and prints the final line. A GetBaseReport is followed by a NotifyReport, as a
// station does.
//
// Environment: OCPP_PROTOCOL (ocpp1.6 | ocpp2.0.1 | ocpp2.1, default ocpp1.6); optional TLS:
// OCPP_CA_CERT (PEM of the CA to trust), OCPP_CLIENT_CERT + OCPP_CLIENT_KEY (PEM, mutual TLS).
//
// Output: a ready line, then exactly one final JSON line on stdout:
//   {"ok":true,"transactionId":...,"results":{...},"serverCalls":[...]}   exit 0
//   {"ok":false,"error":"...",...}                                        exit 1
// The whole run is bounded by OCPP_SESSION_TIMEOUT_MS (default 20000).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import rpc from 'ocpp-rpc';

const { RPCClient, createRPCError, createValidator } = rpc;

const [wsBase, identity, idTag, password] = process.argv.slice(2);
const PROTOCOL = process.env.OCPP_PROTOCOL || 'ocpp1.6';
const V16 = PROTOCOL === 'ocpp1.6';
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
  process.stderr.write(`ocpp-station failed: ${err?.stack ?? error}\n`);
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

const now = () => new Date().toISOString();
const status = (s) => ({ status: s });
const idToken = { idToken: idTag, type: 'ISO14443' };
const txId = `TX-${identity}`.slice(0, 36);
let seqNo = 0;
let pendingReport = null;

// Schema-valid answers to what the server may send. Anything else is answered NotImplemented
// by the wildcard handler, which the server must then handle as a CALLERROR.
const ANSWERS_16 = {
  Reset: () => status('Accepted'),
  UnlockConnector: () => status('Unlocked'),
  RemoteStartTransaction: () => status('Accepted'),
  RemoteStopTransaction: () => status('Accepted'),
  ChangeAvailability: () => status('Accepted'),
  GetConfiguration: ({ key }) => ({
    configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }],
    unknownKey: (key ?? []).filter((k) => k !== 'HeartbeatInterval'),
  }),
  ChangeConfiguration: () => status('Accepted'),
  TriggerMessage: () => status('Accepted'),
  ClearCache: () => status('Accepted'),
  DataTransfer: ({ data }) => ({ status: 'Accepted', data: `pong:${data ?? ''}` }),
  SetChargingProfile: () => status('Accepted'),
  ClearChargingProfile: () => status('Accepted'),
  GetCompositeSchedule: ({ connectorId, chargingRateUnit }) => ({
    status: 'Accepted', connectorId, scheduleStart: now(),
    chargingSchedule: { chargingRateUnit: chargingRateUnit ?? 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000 }] },
  }),
  GetLocalListVersion: () => ({ listVersion: 0 }),
};

const ANSWERS_2X = {
  Reset: () => status('Accepted'),
  UnlockConnector: () => status('Unlocked'),
  RequestStartTransaction: () => status('Accepted'),
  RequestStopTransaction: () => status('Accepted'),
  ChangeAvailability: () => status('Accepted'),
  GetVariables: ({ getVariableData }) => ({
    getVariableResult: getVariableData.map(({ component, variable, attributeType }) => ({
      attributeStatus: 'Accepted', attributeType, attributeValue: '300', component, variable,
    })),
  }),
  SetVariables: ({ setVariableData }) => ({
    setVariableResult: setVariableData.map(({ component, variable, attributeType }) => ({
      attributeStatus: 'Accepted', attributeType, component, variable,
    })),
  }),
  GetBaseReport: ({ requestId }) => {
    pendingReport = requestId;
    return status('Accepted');
  },
  TriggerMessage: () => status('Accepted'),
  ClearCache: () => status('Accepted'),
  DataTransfer: () => status('Accepted'),
  SetChargingProfile: () => status('Accepted'),
  ClearChargingProfile: () => status('Accepted'),
  GetCompositeSchedule: ({ evseId, duration, chargingRateUnit }) => ({
    status: 'Accepted',
    schedule: {
      evseId, duration, scheduleStart: now(), chargingRateUnit: chargingRateUnit ?? 'W',
      chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000 }],
    },
  }),
  GetLocalListVersion: () => ({ versionNumber: 0 }),
};

function sample16(i, wh, kw) {
  return {
    timestamp: new Date(Date.now() + i * 1000).toISOString(),
    sampledValue: [
      { value: String(wh), context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', unit: 'Wh', location: 'Outlet' },
      { value: (kw * 1000 / 3).toFixed(1), context: 'Sample.Periodic', measurand: 'Power.Active.Import', unit: 'W', phase: 'L1' },
      { value: String(40 + i), context: 'Sample.Periodic', measurand: 'SoC', unit: 'Percent', location: 'EV' },
    ],
  };
}

function sample2x(i, wh, kw) {
  return {
    timestamp: new Date(Date.now() + i * 1000).toISOString(),
    sampledValue: [
      { value: wh, context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } },
      { value: kw * 1000 / 3, context: 'Sample.Periodic', measurand: 'Power.Active.Import', phase: 'L1' },
      { value: 40 + i, context: 'Sample.Periodic', measurand: 'SoC', location: 'EV', unitOfMeasure: { unit: 'Percent' } },
    ],
  };
}

async function startSession() {
  if (V16) {
    results.boot = await client.call('BootNotification', {
      chargePointVendor: 'ocpp-rpc', chargePointModel: 'e2e-node',
      chargePointSerialNumber: `SN-${identity}`.slice(0, 25), firmwareVersion: '1.0.0',
    });
    expect(results.boot.status === 'Accepted', `BootNotification status ${results.boot.status}`);
    results.status = await client.call('StatusNotification', {
      connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: now(),
    });
    results.authorize = await client.call('Authorize', { idTag });
    expect(results.authorize.idTagInfo?.status === 'Accepted', `Authorize idTagInfo.status ${results.authorize.idTagInfo?.status}`);
    results.start = await client.call('StartTransaction', { connectorId: 1, idTag, meterStart: 1000, timestamp: now() });
    expect(Number.isInteger(results.start.transactionId), `StartTransaction transactionId ${results.start.transactionId}`);
    expect(results.start.idTagInfo?.status === 'Accepted', `StartTransaction idTagInfo.status ${results.start.idTagInfo?.status}`);
    results.charging = await client.call('StatusNotification', {
      connectorId: 1, errorCode: 'NoError', status: 'Charging', timestamp: now(),
    });
    results.meterValues = await client.call('MeterValues', {
      connectorId: 1, transactionId: results.start.transactionId,
      meterValue: [sample16(0, 2000, 11), sample16(1, 3000, 11), sample16(2, 4000, 7.2)],
    });
    return results.start.transactionId;
  }
  results.boot = await client.call('BootNotification', {
    reason: 'PowerUp',
    chargingStation: { model: 'e2e-node', vendorName: 'ocpp-rpc', serialNumber: `SN-${identity}`.slice(0, 25), firmwareVersion: '1.0.0' },
  });
  expect(results.boot.status === 'Accepted', `BootNotification status ${results.boot.status}`);
  results.status = await client.call('StatusNotification', {
    timestamp: now(), connectorStatus: 'Available', evseId: 1, connectorId: 1,
  });
  results.authorize = await client.call('Authorize', { idToken });
  expect(results.authorize.idTokenInfo?.status === 'Accepted', `Authorize idTokenInfo.status ${results.authorize.idTokenInfo?.status}`);
  results.start = await client.call('TransactionEvent', {
    eventType: 'Started', timestamp: now(), triggerReason: 'Authorized', seqNo: seqNo++,
    transactionInfo: { transactionId: txId, chargingState: 'Charging' }, idToken, evse: { id: 1, connectorId: 1 },
    meterValue: [{ timestamp: now(), sampledValue: [{ value: 1000, measurand: 'Energy.Active.Import.Register', context: 'Transaction.Begin' }] }],
  });
  expect(results.start.idTokenInfo?.status === 'Accepted', `TransactionEvent(Started) idTokenInfo.status ${results.start.idTokenInfo?.status}`);
  results.meterValues = await client.call('TransactionEvent', {
    eventType: 'Updated', timestamp: now(), triggerReason: 'MeterValuePeriodic', seqNo: seqNo++,
    transactionInfo: { transactionId: txId, chargingState: 'Charging' },
    meterValue: [sample2x(0, 2000, 11), sample2x(1, 3000, 11), sample2x(2, 4000, 7.2)],
  });
  return txId;
}

async function endSession(transactionId) {
  const remote = serverCalls.some((c) => c.method === 'RemoteStopTransaction' || c.method === 'RequestStopTransaction');
  if (V16) {
    results.stop = await client.call('StopTransaction', {
      transactionId, idTag, meterStop: 5000, timestamp: now(), reason: remote ? 'Remote' : 'Local',
    });
    if (results.stop.idTagInfo !== undefined) {
      expect(results.stop.idTagInfo.status === 'Accepted', `StopTransaction idTagInfo.status ${results.stop.idTagInfo.status}`);
    }
  } else {
    results.stop = await client.call('TransactionEvent', {
      eventType: 'Ended', timestamp: now(), triggerReason: remote ? 'RemoteStop' : 'StopAuthorized', seqNo: seqNo++,
      transactionInfo: { transactionId, chargingState: 'Idle', stoppedReason: remote ? 'Remote' : 'Local' },
      ...(remote ? {} : { idToken }),
      meterValue: [{ timestamp: now(), sampledValue: [{ value: 5000, measurand: 'Energy.Active.Import.Register', context: 'Transaction.End' }] }],
    });
  }
  results.heartbeat = await client.call('Heartbeat', {});
  expect(!Number.isNaN(Date.parse(results.heartbeat.currentTime)), 'Heartbeat currentTime');
}

async function sendReport(requestId) {
  results.notifyReport = await client.call('NotifyReport', {
    requestId, generatedAt: now(), seqNo: 0, tbc: false,
    reportData: [{
      component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' },
      variableAttribute: [{ type: 'Actual', value: '300', mutability: 'ReadWrite' }],
      variableCharacteristics: { unit: 's', dataType: 'integer', supportsMonitoring: false },
    }],
  });
}

// ocpp-rpc 2.2.1 ships the OCPP 2.1 schemas under their own ids (urn:BootNotificationRequest) but
// looks them up as urn:BootNotification.req like the other versions': the same schemas, re-keyed.
function ocpp21Validator() {
  const file = createRequire(import.meta.url).resolve('ocpp-rpc/lib/schemas/ocpp2_1.json');
  const schemas = JSON.parse(readFileSync(file, 'utf8')).map((schema) => ({
    ...schema,
    $id: schema.$id.replace(/Request$/, '.req').replace(/Response$/, '.conf'),
  }));
  return createValidator('ocpp2.1', schemas);
}

// Each stdin line {"call": action, "params": {...}} is sent as a CALL, one at a time; its outcome is
// printed as {"reply": {"call", "ok", "result" | "error", "rpcErrorCode"}}. ocpp-rpc's strict mode
// checks the server's answer against the response schema (a violation is a failed call).
async function hold() {
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const { call, params } = JSON.parse(line);
    let reply;
    try {
      reply = { call, ok: true, result: await client.call(call, params) };
    } catch (err) {
      reply = { call, ok: false, error: String(err?.message ?? err), rpcErrorCode: err?.rpcErrorCode ?? null };
    }
    process.stdout.write(JSON.stringify({ reply }) + '\n');
  }
}

async function main() {
  if (!wsBase || !identity || !idTag) {
    throw new Error('usage: node ocpp-station.mjs <wsBaseUrl> <identity> <idTag> [password]');
  }
  const wsOpts = {};
  if (process.env.OCPP_CA_CERT) wsOpts.ca = readFileSync(process.env.OCPP_CA_CERT, 'utf8');
  if (process.env.OCPP_CLIENT_CERT) wsOpts.cert = readFileSync(process.env.OCPP_CLIENT_CERT, 'utf8');
  if (process.env.OCPP_CLIENT_KEY) wsOpts.key = readFileSync(process.env.OCPP_CLIENT_KEY, 'utf8');

  client = new RPCClient({
    endpoint: wsBase.replace(/\/+$/, ''),
    identity,
    password: password ? password : undefined,
    protocols: [PROTOCOL],
    strictMode: true,
    strictModeValidators: PROTOCOL === 'ocpp2.1' ? [ocpp21Validator()] : [],
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

  const answers = V16 ? ANSWERS_16 : ANSWERS_2X;
  client.handle(({ method, params }) => {
    serverCalls.push({ method, params });
    const answer = answers[method];
    if (!answer) throw createRPCError('NotImplemented', `${method} is not answered by this test station`);
    return answer(params);
  });

  await client.connect();
  expect(client.protocol === PROTOCOL, `server selected subprotocol '${client.protocol}'`);

  const transactionId = await startSession();
  process.stdout.write(JSON.stringify({ ready: true, transactionId }) + '\n');

  // hold: answer the server's calls, and send the calls the test writes to stdin, until stdin ends
  await hold();
  if (pendingReport !== null) await sendReport(pendingReport);
  await endSession(transactionId);

  // give a server-initiated CALL sent right after the last reply a moment to arrive and be checked
  await new Promise((r) => setTimeout(r, 200));

  const serverProblems = problems.filter((p) => p.kind === 'badMessage' || !p.outbound);
  expect(serverProblems.length === 0, `server sent invalid frames: ${JSON.stringify(serverProblems)}`);
  const ownProblems = problems.filter((p) => p.kind !== 'badMessage' && p.outbound);
  expect(ownProblems.length === 0, `this station sent invalid frames (a bug of the test): ${JSON.stringify(ownProblems)}`);

  clearTimeout(overall);
  finish(true, { transactionId });
}

main().catch(fail);
