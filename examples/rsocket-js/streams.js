// Parley's streams from Node.js with rsocket-js, a client Parley did not write: a server stream
// (REQUEST_STREAM), a channel (REQUEST_CHANNEL), a one-way call (REQUEST_FNF), a fault in the
// middle of a stream, and a cancel that the server's testCancel() sees. The method is the route in
// composite metadata, the data is JSON, and a fault arrives as an RSocket APPLICATION_ERROR whose
// message reads "NAME (CODE)" or "NAME (CODE): detail".
//
//   npm install
//   node streams.js [port] [host]        (defaults: 7000, 127.0.0.1)
//
// The Parley server it calls serves (as RSocketJsInteropTest in transport-rsocket starts one):
//   count          ServerMethod.flux     n -> {"text":"item i","length":i} for i < n
//   greetEach      ServerMethod.channel  {"name":N} -> {"text":"Hello, N","length":len(N)} for each
//   abortAfter     ServerMethod.stream   {"items":k,"code":c} -> k items, then abort(c)
//   endless        ServerMethod.flux     {"name":N} -> {"text":N,"length":i} for i = 0, 1, ...
//   testCancelOf   ServerMethod.mono     {"name":N} -> testCancel() of the last "endless" call
//                                        named N, once it has seen a cancel: "RPC_S_OK"
//   log            ServerMethod.oneWay   {"name":N}
//   lastLogged     ServerMethod.mono     null -> the first request "log" received
//
// Exits 0 when every step sees what it should; 1 otherwise.
"use strict";

const { connect, request, call, parleyFault, describe } = require("./parley");

const port = Number(process.argv[2] || 7000);
const host = process.argv[3] || "127.0.0.1";

/** The largest REQUEST_N: "send everything". */
const ALL = 0x7fffffff;

/**
 * A server stream. Asks for `initial` items, then one more for each that arrives; `onItem` may
 * return false to cancel. Resolves with the items and how the stream ended ("complete" or
 * "cancelled"); rejects with the RSocket error, its `items` those that came before it.
 */
function stream(rsocket, method, value, { initial = ALL, onItem = () => true } = {}) {
  return new Promise((resolve, reject) => {
    const items = [];
    const requester = rsocket.requestStream(request(method, value), initial, {
      onNext(payload, isComplete) {
        const item = JSON.parse(payload.data.toString());
        items.push(item);
        if (isComplete) {
          resolve({ items, end: "complete" });
        } else if (onItem(item, items.length) === false) {
          requester.cancel(); // an RSocket CANCEL frame: Parley's abortive cancel
          resolve({ items, end: "cancelled" });
        } else if (initial !== ALL) {
          requester.request(1);
        }
      },
      onComplete: () => resolve({ items, end: "complete" }),
      onError(error) {
        error.items = items;
        reject(error);
      },
      onExtension: () => {},
    });
  });
}

/**
 * A channel: the first request rides in the REQUEST_CHANNEL frame with the route; the others go
 * as the server asks for them (REQUEST_N), the last with the COMPLETE flag. Resolves with the items.
 */
function channel(rsocket, method, requests) {
  return new Promise((resolve, reject) => {
    const items = [];
    let next = 1;
    let requester = null;
    const receiver = {
      onNext(payload, isComplete) {
        items.push(JSON.parse(payload.data.toString()));
        if (isComplete) {
          resolve(items);
        }
      },
      onComplete: () => resolve(items),
      onError: reject,
      onExtension: () => {},
      request(n) {
        for (; n > 0 && next < requests.length; n--) {
          const value = requests[next++];
          requester.onNext({ data: Buffer.from(JSON.stringify(value)) }, next === requests.length);
        }
      },
      cancel: () => {},
    };
    requester = rsocket.requestChannel(request(method, requests[0]), ALL, requests.length === 1, receiver);
  });
}

/** A fire-and-forget: resolves once the frame is handed to the connection. Nothing comes back. */
function fireAndForget(rsocket, method, value) {
  return new Promise((resolve, reject) => {
    rsocket.fireAndForget(request(method, value), { onComplete: resolve, onError: reject });
  });
}

async function main() {
  const rsocket = await connect(host, port);
  let ok = true;
  const check = (passed, what) => {
    if (!passed) {
      console.log(`   UNEXPECTED: ${what}`);
      ok = false;
    }
  };
  try {
    // 1. A server stream, asked for two items at first and one more for each that arrives.
    console.log("requestStream count(4), REQUEST_N 2 then 1 per item:");
    const counted = await stream(rsocket, "count", 4, {
      initial: 2,
      onItem: (item) => console.log(`   item ${JSON.stringify(item)}`),
    });
    console.log(`   end: ${counted.end}`);
    check(counted.end === "complete" && counted.items.length === 4, "four items, then the end");

    // 2. A channel of several requests, each answered by one item.
    const names = ["Ada", "Grace", "Edsger", "Barbara"];
    console.log(`requestChannel greetEach(${names.join(", ")}):`);
    const greeted = await channel(rsocket, "greetEach", names.map((name) => ({ name })));
    greeted.forEach((item) => console.log(`   item ${JSON.stringify(item)}`));
    console.log("   end: complete");
    check(greeted.map((item) => item.text).join() === names.map((name) => `Hello, ${name}`).join(),
      "a greeting for each name, in order");

    // 3. A one-way call; a request-response after it asks the server what arrived.
    await fireAndForget(rsocket, "log", { name: "from rsocket-js" });
    const logged = await call(rsocket, "lastLogged", null);
    console.log(`fireAndForget log({"name":"from rsocket-js"}) -> the server logged ${JSON.stringify(logged)}`);
    check(logged && logged.name === "from rsocket-js", "the one-way request at the server");

    // 4. A stream that the server aborts after two items with an HRESULT, E_ACCESSDENIED.
    console.log("requestStream abortAfter(2 items, code 0x80070005):");
    try {
      const ended = await stream(rsocket, "abortAfter", { items: 2, code: 0x80070005 });
      console.log(`   end: ${ended.end} (expected a fault)`);
      check(false, "a fault after two items");
    } catch (error) {
      error.items.forEach((item) => console.log(`   item ${JSON.stringify(item)}`));
      console.log(`   end: ${describe(error)}`);
      const fault = parleyFault(error);
      check(error.items.length === 2, "two items before the fault");
      check(fault !== null && fault.code === 0x80070005 && fault.name === "0x80070005", "the fault's code and name");
      check((error.code >>> 0) === 0x201, "APPLICATION_ERROR");
    }

    // 5. A cancel: three items of an endless stream, then CANCEL; the server's testCancel() sees it.
    console.log("requestStream endless, cancelled after 3 items:");
    const taken = await stream(rsocket, "endless", { name: "js" }, {
      initial: 1,
      onItem: (item, n) => {
        console.log(`   item ${JSON.stringify(item)}`);
        return n < 3;
      },
    });
    console.log(`   end: ${taken.end}`);
    const seen = await call(rsocket, "testCancelOf", { name: "js" });
    console.log(`   the server's testCancel() after the cancel: ${seen}`);
    check(taken.items.length === 3 && seen === "RPC_S_OK", "three items, and the cancel seen by the server");
  } finally {
    rsocket.close();
  }
  console.log(ok ? "-> as expected" : "-> UNEXPECTED");
  process.exitCode = ok ? 0 : 1;
}

main().catch((error) => {
  console.error(`could not call ${host}:${port}: ${describe(error)}`);
  process.exitCode = 1;
});
