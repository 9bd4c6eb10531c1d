// Calls AsyncFunc on a Parley server (AsyncFuncServer) with rsocket-js, a client Parley did not
// write: the method is the route in composite metadata, the data is JSON, and a fault arrives as
// an RSocket APPLICATION_ERROR whose message reads "NAME (CODE)" or "NAME (CODE): detail".
//
//   npm install
//   node call-asyncfunc.js [port] [host]        (defaults: 7000, 127.0.0.1)
//
// Exits 0 when the call replies 1 and a request the server cannot decode is refused with
// RPC_X_BAD_STUB_DATA (1783); 1 otherwise.
"use strict";

const { RSocketConnector } = require("rsocket-core");
const { TcpClientTransport } = require("rsocket-tcp-client");
const {
  encodeCompositeMetadata,
  encodeRoute,
  WellKnownMimeType,
} = require("rsocket-composite-metadata");

const port = Number(process.argv[2] || 7000);
const host = process.argv[3] || "127.0.0.1";

/** Reads a Parley fault from an RSocket error's message; null if the message is not one. */
function parleyFault(error) {
  const m = /^(\S+) \((\d+)\)(?:: (.*))?$/s.exec(error.message);
  return m ? { name: m[1], code: Number(m[2]), detail: m[3] } : null;
}

/** One request-response: resolves with the reply's JSON, rejects with the RSocket error. */
function call(rsocket, method, request) {
  return new Promise((resolve, reject) => {
    rsocket.requestResponse(
      {
        data: Buffer.from(JSON.stringify(request)),
        metadata: encodeCompositeMetadata([
          [WellKnownMimeType.MESSAGE_RSOCKET_ROUTING, encodeRoute(method)],
        ]),
      },
      {
        onNext: (payload) => resolve(JSON.parse(payload.data.toString())),
        onError: reject,
        onComplete: () => {},
        onExtension: () => {},
      }
    );
  });
}

async function main() {
  const connector = new RSocketConnector({
    setup: {
      dataMimeType: "application/json",
      metadataMimeType: WellKnownMimeType.MESSAGE_RSOCKET_COMPOSITE_METADATA.string,
      keepAlive: 20000,
      lifetime: 90000,
    },
    transport: new TcpClientTransport({ connectionOptions: { host, port } }),
  });
  const rsocket = await connector.connect();
  let ok = true;
  try {
    // AsyncFunc takes its delay in milliseconds and replies 1.
    const reply = await call(rsocket, "AsyncFunc", 500);
    console.log(`AsyncFunc(500) -> ${JSON.stringify(reply)}`);
    ok = ok && reply === 1;

    // A delay that is not a number: the server cannot decode it and aborts the call.
    try {
      await call(rsocket, "AsyncFunc", "soon");
      console.log("AsyncFunc(\"soon\") -> a reply (expected a fault)");
      ok = false;
    } catch (error) {
      const fault = parleyFault(error);
      console.log(`AsyncFunc("soon") -> fault ${fault ? `${fault.name} (${fault.code})` : "?"}` +
        ` [RSocket error code 0x${(error.code >>> 0).toString(16)}]: ${fault ? fault.detail : error.message}`);
      ok = ok && fault !== null && fault.code === 1783 && fault.name === "RPC_X_BAD_STUB_DATA";
    }
  } finally {
    rsocket.close();
  }
  console.log(ok ? "-> as expected" : "-> UNEXPECTED");
  process.exitCode = ok ? 0 : 1;
}

main().catch((error) => {
  console.error(`could not call ${host}:${port}: ${error.message}`);
  process.exitCode = 1;
});
