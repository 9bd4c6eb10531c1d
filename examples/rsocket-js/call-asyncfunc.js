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

const { connect, call, parleyFault } = require("./parley");

const port = Number(process.argv[2] || 7000);
const host = process.argv[3] || "127.0.0.1";

async function main() {
  const rsocket = await connect(host, port);
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
