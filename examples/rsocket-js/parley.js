// What the rsocket-js examples share: a connection as Parley expects it (composite metadata,
// JSON data), a request routed to a method, one request-response, and reading a Parley fault
// from an RSocket error.
"use strict";

const { RSocketConnector } = require("rsocket-core");
const { TcpClientTransport } = require("rsocket-tcp-client");
const {
  encodeCompositeMetadata,
  encodeRoute,
  WellKnownMimeType,
} = require("rsocket-composite-metadata");

/** Connects over TCP: composite metadata (the route), JSON data. Resolves with the RSocket. */
function connect(host, port) {
  return new RSocketConnector({
    setup: {
      dataMimeType: "application/json",
      metadataMimeType: WellKnownMimeType.MESSAGE_RSOCKET_COMPOSITE_METADATA.string,
      keepAlive: 20000,
      lifetime: 90000,
    },
    transport: new TcpClientTransport({ connectionOptions: { host, port } }),
  }).connect();
}

/** A request payload: the method as routing metadata, the value as JSON. */
function request(method, value) {
  return {
    data: Buffer.from(JSON.stringify(value)),
    metadata: encodeCompositeMetadata([
      [WellKnownMimeType.MESSAGE_RSOCKET_ROUTING, encodeRoute(method)],
    ]),
  };
}

/** One request-response: resolves with the reply's JSON (null for none), rejects with the RSocket error. */
function call(rsocket, method, value) {
  return new Promise((resolve, reject) => {
    rsocket.requestResponse(request(method, value), {
      onNext: (payload) => resolve(payload.data && payload.data.length ? JSON.parse(payload.data.toString()) : null),
      onError: reject,
      onComplete: () => resolve(null),
      onExtension: () => {},
    });
  });
}

/** Reads a Parley fault from an RSocket error's message; null if the message is not one. */
function parleyFault(error) {
  const m = /^(\S+) \((\d+)\)(?:: (.*))?$/s.exec(error.message);
  return m ? { name: m[1], code: Number(m[2]), detail: m[3] } : null;
}

/** A fault as "fault NAME (CODE): detail [RSocket error code 0x201]"; any other error as its message. */
function describe(error) {
  if (typeof error.code !== "number") {
    return error.message; // not an RSocket ERROR frame: no connection, say
  }
  const fault = parleyFault(error);
  // rsocket-js gives the frame's error code as a signed int32.
  const frameCode = `RSocket error code 0x${(error.code >>> 0).toString(16)}`;
  return fault
    ? `fault ${fault.name} (${fault.code})${fault.detail !== undefined ? `: ${fault.detail}` : ""} [${frameCode}]`
    : `error ${error.message} [${frameCode}]`;
}

module.exports = { connect, request, call, parleyFault, describe };
