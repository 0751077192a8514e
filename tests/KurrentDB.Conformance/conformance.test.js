// The official KurrentDB Node.js client against the server named by KURRENTDB_CONNECTION_STRING.
// Each test owns its streams (unique names), so the scenarios do not depend on each other or on order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  KurrentDBClient,
  jsonEvent,
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  START,
  END,
  FORWARDS,
  BACKWARDS,
  streamNameFilter,
  WrongExpectedVersionError,
  StreamNotFoundError,
  StreamDeletedError,
} from "@kurrent/kurrentdb-client";

const connectionString = process.env.KURRENTDB_CONNECTION_STRING ?? "kurrentdb://localhost:2113?tls=false";
const client = KurrentDBClient.connectionString(connectionString);

const unique = (prefix) => `${prefix}-${randomUUID()}`;
const event = (type, data = {}) => jsonEvent({ id: randomUUID(), type, data });

async function readAllOf(stream, options = {}) {
  const events = [];
  for await (const resolved of client.readStream(stream, options)) {
    events.push(resolved.event);
  }
  return events;
}

/** Resolves with the first value `probe` returns that is not undefined, polling until a deadline. */
async function eventually(probe, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test.after(() => client.dispose());

test("append with each expected state", async () => {
  const stream = unique("append");

  const created = await client.appendToStream(stream, [event("Opened")], { streamState: NO_STREAM });
  assert.equal(created.success, true);
  assert.equal(created.nextExpectedRevision, 0n);
  assert.ok(created.position.commit >= 0n);

  const exact = await client.appendToStream(stream, [event("Deposited"), event("Deposited")], { streamState: 0n });
  assert.equal(exact.nextExpectedRevision, 2n);

  const exists = await client.appendToStream(stream, event("Withdrawn"), { streamState: STREAM_EXISTS });
  assert.equal(exists.nextExpectedRevision, 3n);

  const any = await client.appendToStream(stream, event("Withdrawn"), { streamState: ANY });
  assert.equal(any.nextExpectedRevision, 4n);
  assert.ok(any.position.commit > created.position.commit);

  const events = await readAllOf(stream);
  assert.deepEqual(events.map((e) => e.type), ["Opened", "Deposited", "Deposited", "Withdrawn", "Withdrawn"]);
  assert.deepEqual(events.map((e) => e.revision), [0n, 1n, 2n, 3n, 4n]);
});

test("wrong expected version", async () => {
  const stream = unique("wrong-version");
  await client.appendToStream(stream, [event("A"), event("B")]);

  await assert.rejects(client.appendToStream(stream, event("C"), { streamState: 0n }), (error) => {
    assert.ok(error instanceof WrongExpectedVersionError, `${error}`);
    assert.equal(error.streamName, stream);
    assert.equal(error.expectedState, 0n);
    assert.equal(error.actualState, 1n);
    return true;
  });
  await assert.rejects(client.appendToStream(stream, event("C"), { streamState: NO_STREAM }), WrongExpectedVersionError);
  await assert.rejects(client.appendToStream(unique("missing"), event("C"), { streamState: STREAM_EXISTS }), WrongExpectedVersionError);

  assert.equal((await readAllOf(stream)).length, 2);
});

test("idempotent re-append of the same event ids", async () => {
  const stream = unique("idempotent");
  const events = [event("A"), event("B")];

  const first = await client.appendToStream(stream, events, { streamState: NO_STREAM });
  const again = await client.appendToStream(stream, events, { streamState: NO_STREAM });

  assert.equal(again.nextExpectedRevision, first.nextExpectedRevision);
  assert.deepEqual((await readAllOf(stream)).map((e) => e.id), events.map((e) => e.id));
});

test("read forwards and backwards", async () => {
  const stream = unique("read");
  await client.appendToStream(stream, [0, 1, 2, 3, 4].map((i) => event("Counted", { i })));

  const forwards = await readAllOf(stream, { direction: FORWARDS, fromRevision: 1n, maxCount: 3 });
  assert.deepEqual(forwards.map((e) => e.data.i), [1, 2, 3]);

  const backwards = await readAllOf(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 2 });
  assert.deepEqual(backwards.map((e) => e.data.i), [4, 3]);

  const all = [];
  for await (const resolved of client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 5 })) {
    all.push(resolved.event);
  }
  assert.ok(all.some((e) => e.streamId === stream), "the newest events of $all include the stream's");
  assert.equal(forwards[0].isJson, true);
  assert.ok(forwards[0].created instanceof Date && forwards[0].created.getTime() > 0);
});

test("read a missing stream", async () => {
  await assert.rejects(readAllOf(unique("missing")), StreamNotFoundError);
});

test("delete and tombstone", async () => {
  const deleted = unique("deleted");
  await client.appendToStream(deleted, event("A"));
  await client.deleteStream(deleted);
  await assert.rejects(readAllOf(deleted), StreamNotFoundError);

  const tombstoned = unique("tombstoned");
  await client.appendToStream(tombstoned, event("A"));
  await client.tombstoneStream(tombstoned);
  await assert.rejects(client.appendToStream(tombstoned, event("B")), StreamDeletedError);
});

test("$all subscription catches up then goes live", async () => {
  const stream = unique("catch-up");
  await client.appendToStream(stream, [event("Before")]);

  const seen = [];
  let caughtUp = false;
  const subscription = client.subscribeToAll({ fromPosition: START });
  subscription.on("caughtUp", () => { caughtUp = true; });
  const consuming = (async () => {
    for await (const resolved of subscription) {
      if (resolved.event?.streamId === stream) seen.push(resolved.event.type);
    }
  })();

  await eventually(() => (caughtUp && seen.includes("Before") ? true : undefined), "catch-up");
  await client.appendToStream(stream, [event("Live")]);
  await eventually(() => (seen.includes("Live") ? true : undefined), "the live event");
  await subscription.unsubscribe();
  await consuming;

  assert.deepEqual(seen, ["Before", "Live"]);
});

test("filtered $all subscription with checkpoints", async () => {
  const prefix = unique("filtered");
  for (let i = 0; i < 5; i++) {
    await client.appendToStream(`${prefix}-${i}`, event("Wanted"));
    await client.appendToStream(unique("noise"), event("Unwanted"));
  }

  const checkpoints = [];
  const seen = [];
  const subscription = client.subscribeToAll({
    fromPosition: START,
    filter: streamNameFilter({ prefixes: [prefix], maxSearchWindow: 2, checkpointInterval: 1, checkpointReached: (_, position) => { checkpoints.push(position); } }),
  });
  const consuming = (async () => {
    for await (const resolved of subscription) seen.push(resolved.event);
  })();

  await eventually(() => (seen.length === 5 && checkpoints.length > 0 ? true : undefined), "five filtered events and a checkpoint");
  await subscription.unsubscribe();
  await consuming;

  assert.ok(seen.every((e) => e.streamId.startsWith(prefix) && e.type === "Wanted"));
  assert.ok(checkpoints.every((p, i) => i === 0 || p.commit >= checkpoints[i - 1].commit), "checkpoints move forwards");
});

test("resume a subscription from a position", async () => {
  const stream = unique("resume");
  await client.appendToStream(stream, [event("First"), event("Second"), event("Third")]);
  const [first] = await readAllOf(stream, { maxCount: 1 });

  const seen = [];
  const subscription = client.subscribeToAll({ fromPosition: first.position, filter: streamNameFilter({ prefixes: [stream] }) });
  const consuming = (async () => {
    for await (const resolved of subscription) seen.push(resolved.event.type);
  })();

  await eventually(() => (seen.length >= 2 ? true : undefined), "the events after the position");
  await subscription.unsubscribe();
  await consuming;

  assert.deepEqual(seen, ["Second", "Third"]);
});

test("stream subscription from a revision", async () => {
  const stream = unique("stream-sub");
  await client.appendToStream(stream, [event("Zero"), event("One")]);

  const seen = [];
  const subscription = client.subscribeToStream(stream, { fromRevision: 0n });
  const consuming = (async () => {
    for await (const resolved of subscription) seen.push(resolved.event.type);
  })();
  await client.appendToStream(stream, [event("Two")]);

  await eventually(() => (seen.length >= 2 ? true : undefined), "events after revision 0");
  await subscription.unsubscribe();
  await consuming;

  assert.deepEqual(seen, ["One", "Two"]);
});
