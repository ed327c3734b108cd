// DynamoDB conformance with the AWS SDK for JavaScript v3 in headless Chromium: the SDK's own
// (de)serialisers, paginators and typed exceptions against the in-page emulator on IndexedDB.
// Each test runs in the page what an application would run against AWS.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { useApp, newPlayground } from "./harness.mjs";

const app = useApp();
let page;
let playgroundId;

before(async () => {
  page = await app.open();
  playgroundId = await newPlayground(page, "DynamoDB SDK");
  // `orders`: customer (S) + n (N), a GSI on status/total, a stream with both images.
  await inPage(async () => {
    const { dynamodb, documentClient } = nimbus.sdk(id);
    const { CreateTableCommand } = nimbus.aws.dynamodb;
    const { BatchWriteCommand } = nimbus.aws.libDynamodb;
    await dynamodb.send(
      new CreateTableCommand({
        TableName: "orders",
        KeySchema: [
          { AttributeName: "customer", KeyType: "HASH" },
          { AttributeName: "n", KeyType: "RANGE" },
        ],
        AttributeDefinitions: [
          { AttributeName: "customer", AttributeType: "S" },
          { AttributeName: "n", AttributeType: "N" },
          { AttributeName: "status", AttributeType: "S" },
          { AttributeName: "total", AttributeType: "N" },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: "byStatus",
            KeySchema: [
              { AttributeName: "status", KeyType: "HASH" },
              { AttributeName: "total", KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "KEYS_ONLY" },
          },
        ],
        StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    // 2 customers x 10 orders; BatchWrite takes 25 at most, so two batches.
    const items = Array.from({ length: 20 }, (_, i) => ({
      customer: i < 10 ? "c1" : "c2",
      n: (i % 10) + 1,
      status: i % 2 ? "open" : "shipped",
      total: (i + 1) * 5,
    }));
    for (const chunk of [items.slice(0, 10), items.slice(10)]) {
      const put = chunk.map((Item) => ({ PutRequest: { Item } }));
      const answer = await documentClient.send(new BatchWriteCommand({ RequestItems: { orders: put } }));
      if (Object.keys(answer.UnprocessedItems ?? {}).length) throw new Error("unprocessed items");
    }
  });
});

/** Runs `body` in the page with `id` (the playground) and `args` in scope; answers its result. */
function inPage(body, args = {}) {
  return page.evaluate(
    async ({ id, args, source }) => {
      // eslint-disable-next-line no-new-func
      const run = new Function("id", "args", `return (${source})();`);
      return run(id, args);
    },
    { id: playgroundId, args, source: body.toString() },
  );
}

test("UpdateItem: SET arithmetic, list_append, if_not_exists, REMOVE and ADD, with UPDATED_NEW", async () => {
  const updated = await inPage(async () => {
    const { documentClient } = nimbus.sdk(id);
    const { UpdateCommand } = nimbus.aws.libDynamodb;
    const answer = await documentClient.send(
      new UpdateCommand({
        TableName: "orders",
        Key: { customer: "c1", n: 1 },
        UpdateExpression:
          "SET #t = #t + :five, notes = list_append(if_not_exists(notes, :empty), :note) REMOVE #s ADD tags :tags",
        ExpressionAttributeNames: { "#t": "total", "#s": "status" },
        ExpressionAttributeValues: {
          ":five": 5,
          ":empty": [],
          ":note": ["gift"],
          ":tags": new Set(["red", "blue"]),
        },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    const attributes = answer.Attributes;
    return { ...attributes, tags: [...attributes.tags].sort() };
  });
  assert.deepEqual(updated, { total: 10, notes: ["gift"], tags: ["blue", "red"] });
});

test("a failed condition is a ConditionalCheckFailedException carrying the old item", async () => {
  const failure = await inPage(async () => {
    const { dynamodb } = nimbus.sdk(id);
    const { PutItemCommand } = nimbus.aws.dynamodb;
    try {
      await dynamodb.send(
        new PutItemCommand({
          TableName: "orders",
          Item: { customer: { S: "c2" }, n: { N: "3" } },
          ConditionExpression: "attribute_not_exists(customer)",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return null;
    } catch (e) {
      return { name: e.name, message: e.message, status: e.$metadata.httpStatusCode, item: e.Item };
    }
  });
  assert.equal(failure?.name, "ConditionalCheckFailedException");
  assert.equal(failure.message, "The conditional request failed");
  assert.equal(failure.status, 400);
  assert.deepEqual(failure.item.n, { N: "3" });
  assert.deepEqual(failure.item.total, { N: "65" });
});

test("Query: key condition and filter, paged by the SDK's paginator, newest first", async () => {
  const pages = await inPage(async () => {
    const { documentClient } = nimbus.sdk(id);
    const { paginateQuery } = nimbus.aws.libDynamodb;
    const seen = [];
    const paginator = paginateQuery(
      { client: documentClient, pageSize: 3 },
      {
        TableName: "orders",
        KeyConditionExpression: "customer = :c AND n BETWEEN :a AND :b",
        FilterExpression: "#s = :open",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":c": "c2", ":a": 2, ":b": 9, ":open": "open" },
        ScanIndexForward: false,
      },
    );
    for await (const page of paginator) {
      seen.push({ ns: page.Items.map((item) => item.n), scanned: page.ScannedCount });
    }
    return seen;
  });
  // c2's orders 2..9; odd overall indexes (n = 1, 3, 5, 7, 9 within c2... i = 10 + n - 1) are open.
  const ns = pages.flatMap((p) => p.ns);
  assert.deepEqual(ns, [8, 6, 4, 2]);
  assert.deepEqual(
    pages.map((p) => p.scanned),
    [3, 3, 2],
  );
});

test("Query on a GSI and Scan with Select COUNT", async () => {
  const got = await inPage(async () => {
    const { dynamodb } = nimbus.sdk(id);
    const { QueryCommand, ScanCommand } = nimbus.aws.dynamodb;
    const byStatus = await dynamodb.send(
      new QueryCommand({
        TableName: "orders",
        IndexName: "byStatus",
        KeyConditionExpression: "#s = :s AND #t > :min",
        ExpressionAttributeNames: { "#s": "status", "#t": "total" },
        ExpressionAttributeValues: { ":s": { S: "shipped" }, ":min": { N: "70" } },
      }),
    );
    const count = await dynamodb.send(
      new ScanCommand({
        TableName: "orders",
        Select: "COUNT",
        FilterExpression: "attribute_exists(notes)",
      }),
    );
    return {
      totals: byStatus.Items.map((item) => Number(item.total.N)),
      keysOnly: byStatus.Items.every((item) => Object.keys(item).length === 4),
      count: count.Count,
      scanned: count.ScannedCount,
      items: count.Items,
    };
  });
  // Shipped orders are the even overall indexes: totals 5, 15, ..., 95; above 70: 75, 85, 95.
  assert.deepEqual(got.totals, [75, 85, 95]);
  assert.ok(got.keysOnly, "a KEYS_ONLY index answers the table and index keys only");
  assert.equal(got.count, 1);
  assert.equal(got.scanned, 20);
  assert.equal(got.items, undefined);
});

test("TransactWriteItems: all or nothing, reasons in order", async () => {
  const outcome = await inPage(async () => {
    const { documentClient } = nimbus.sdk(id);
    const { TransactWriteCommand, GetCommand } = nimbus.aws.libDynamodb;
    let error = null;
    try {
      await documentClient.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: "orders", Item: { customer: "c3", n: 1, total: 1 } } },
            {
              Update: {
                TableName: "orders",
                Key: { customer: "c1", n: 2 },
                UpdateExpression: "SET #t = :zero",
                ConditionExpression: "#t > :big",
                ExpressionAttributeNames: { "#t": "total" },
                ExpressionAttributeValues: { ":zero": 0, ":big": 1000 },
              },
            },
          ],
        }),
      );
    } catch (e) {
      error = { name: e.name, reasons: e.CancellationReasons?.map((r) => r.Code), message: e.message };
    }
    const c3 = await documentClient.send(new GetCommand({ TableName: "orders", Key: { customer: "c3", n: 1 } }));
    return { error, c3: c3.Item ?? null };
  });
  assert.equal(outcome.error?.name, "TransactionCanceledException", outcome.error?.message);
  assert.deepEqual(outcome.error.reasons, ["None", "ConditionalCheckFailed"]);
  assert.match(outcome.error.message, /Transaction cancelled, please refer cancellation reasons for specific reasons \[None, ConditionalCheckFailed\]/);
  assert.equal(outcome.c3, null, "the transaction's Put must not have happened");
});

test("BatchGetItem through the DocumentClient", async () => {
  const names = await inPage(async () => {
    const { documentClient } = nimbus.sdk(id);
    const { BatchGetCommand } = nimbus.aws.libDynamodb;
    const answer = await documentClient.send(
      new BatchGetCommand({
        RequestItems: {
          orders: {
            Keys: [
              { customer: "c1", n: 4 },
              { customer: "c2", n: 10 },
              { customer: "nobody", n: 1 },
            ],
            ProjectionExpression: "customer, n",
          },
        },
      }),
    );
    return answer.Responses.orders.map((item) => `${item.customer}#${item.n}`).sort();
  });
  assert.deepEqual(names, ["c1#4", "c2#10"]);
});

test("DynamoDB Streams: the SDK reads the table's change records in order", async () => {
  const records = await inPage(async () => {
    const { dynamodb, dynamodbStreams, documentClient } = nimbus.sdk(id);
    const { DescribeTableCommand } = nimbus.aws.dynamodb;
    const { DeleteCommand } = nimbus.aws.libDynamodb;
    const { DescribeStreamCommand, GetShardIteratorCommand, GetRecordsCommand, ListStreamsCommand } =
      nimbus.aws.dynamodbStreams;
    await documentClient.send(new DeleteCommand({ TableName: "orders", Key: { customer: "c2", n: 10 } }));
    const table = await dynamodb.send(new DescribeTableCommand({ TableName: "orders" }));
    const listed = await dynamodbStreams.send(new ListStreamsCommand({ TableName: "orders" }));
    const stream = await dynamodbStreams.send(new DescribeStreamCommand({ StreamArn: table.Table.LatestStreamArn }));
    const { ShardIterator } = await dynamodbStreams.send(
      new GetShardIteratorCommand({
        StreamArn: table.Table.LatestStreamArn,
        ShardId: stream.StreamDescription.Shards[0].ShardId,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    const answer = await dynamodbStreams.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
    return {
      listed: listed.Streams.map((s) => s.StreamArn === table.Table.LatestStreamArn),
      viewType: stream.StreamDescription.StreamViewType,
      events: answer.Records.map((r) => r.eventName),
      last: answer.Records.at(-1),
      createdIsDate: answer.Records[0].dynamodb.ApproximateCreationDateTime instanceof Date,
      next: typeof answer.NextShardIterator,
    };
  });
  assert.deepEqual(records.listed, [true]);
  assert.equal(records.viewType, "NEW_AND_OLD_IMAGES");
  // 20 batch puts, the UpdateItem test's MODIFY, then this test's REMOVE.
  assert.equal(records.events.filter((e) => e === "INSERT").length, 20);
  assert.equal(records.events.filter((e) => e === "MODIFY").length, 1);
  assert.equal(records.events.at(-1), "REMOVE");
  assert.deepEqual(records.last.dynamodb.Keys, { customer: { S: "c2" }, n: { N: "10" } });
  assert.equal(records.last.dynamodb.OldImage.total.N, "100");
  assert.equal(records.last.eventSource, "aws:dynamodb");
  assert.ok(records.createdIsDate, "the SDK parses ApproximateCreationDateTime into a Date");
  assert.equal(records.next, "string");
});

test("Time to Live: UpdateTimeToLive then DescribeTimeToLive, and the errors of a second change", async () => {
  const ttl = await inPage(async () => {
    const { dynamodb } = nimbus.sdk(id);
    const { UpdateTimeToLiveCommand, DescribeTimeToLiveCommand } = nimbus.aws.dynamodb;
    const spec = { AttributeName: "expires", Enabled: true };
    const updated = await dynamodb.send(new UpdateTimeToLiveCommand({ TableName: "orders", TimeToLiveSpecification: spec }));
    const described = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: "orders" }));
    let again = null;
    try {
      await dynamodb.send(new UpdateTimeToLiveCommand({ TableName: "orders", TimeToLiveSpecification: spec }));
    } catch (e) {
      again = { name: e.name, message: e.message };
    }
    return { updated: updated.TimeToLiveSpecification, described: described.TimeToLiveDescription, again };
  });
  assert.deepEqual(ttl.updated, { AttributeName: "expires", Enabled: true });
  assert.equal(ttl.described.AttributeName, "expires");
  assert.equal(ttl.described.TimeToLiveStatus, "ENABLED");
  assert.equal(ttl.again?.name, "ValidationException");
  assert.equal(ttl.again.message, "TimeToLive is already enabled");
});

test("PartiQL: ExecuteStatement with parameters, a duplicate INSERT, a batch and a transaction", async () => {
  const got = await inPage(async () => {
    const { documentClient } = nimbus.sdk(id);
    const { ExecuteStatementCommand, BatchExecuteStatementCommand, ExecuteTransactionCommand } = nimbus.aws.libDynamodb;
    const select = await documentClient.send(
      new ExecuteStatementCommand({
        Statement: 'SELECT n, status FROM "orders" WHERE customer = ? AND n BETWEEN ? AND ?',
        Parameters: ["c1", 3, 5],
      }),
    );
    let duplicate = null;
    try {
      await documentClient.send(
        new ExecuteStatementCommand({ Statement: "INSERT INTO \"orders\" VALUE {'customer': 'c1', 'n': 3}" }),
      );
    } catch (e) {
      duplicate = { name: e.name, message: e.message };
    }
    const batch = await documentClient.send(
      new BatchExecuteStatementCommand({
        Statements: [
          { Statement: 'SELECT * FROM "orders" WHERE customer = ? AND n = ?', Parameters: ["c1", 6] },
          { Statement: 'SELECT * FROM "missing" WHERE customer = ? AND n = ?', Parameters: ["c1", 6] },
        ],
      }),
    );
    await documentClient.send(
      new ExecuteTransactionCommand({
        TransactStatements: [
          { Statement: "INSERT INTO \"orders\" VALUE {'customer': 'c4', 'n': 1, 'status': 'open'}" },
          { Statement: 'UPDATE "orders" SET status = ? WHERE customer = ? AND n = ?', Parameters: ["paid", "c1", 7] },
        ],
      }),
    );
    const after = await documentClient.send(
      new ExecuteStatementCommand({
        Statement: 'SELECT status FROM "orders" WHERE customer = ? AND n = ?',
        Parameters: ["c1", 7],
      }),
    );
    return {
      rows: select.Items.map((item) => [item.n, item.status]),
      duplicate,
      batch: batch.Responses.map((r) => r.Item?.n ?? r.Error?.Code),
      after: after.Items,
    };
  });
  assert.deepEqual(got.rows, [
    [3, "shipped"],
    [4, "open"],
    [5, "shipped"],
  ]);
  assert.equal(got.duplicate?.name, "DuplicateItemException");
  assert.equal(got.duplicate.message, "Duplicate primary key exists in table");
  assert.deepEqual(got.batch, [6, "ResourceNotFound"]);
  assert.deepEqual(got.after, [{ status: "paid" }]);
});

test("Tags, DescribeLimits and DescribeEndpoints", async () => {
  const got = await inPage(async () => {
    const { dynamodb } = nimbus.sdk(id);
    const { DescribeTableCommand, TagResourceCommand, UntagResourceCommand, ListTagsOfResourceCommand, DescribeLimitsCommand, DescribeEndpointsCommand } =
      nimbus.aws.dynamodb;
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: "orders" }));
    await dynamodb.send(
      new TagResourceCommand({
        ResourceArn: Table.TableArn,
        Tags: [
          { Key: "team", Value: "shop" },
          { Key: "env", Value: "dev" },
        ],
      }),
    );
    await dynamodb.send(new UntagResourceCommand({ ResourceArn: Table.TableArn, TagKeys: ["env"] }));
    const tags = await dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: Table.TableArn }));
    const limits = await dynamodb.send(new DescribeLimitsCommand({}));
    const endpoints = await dynamodb.send(new DescribeEndpointsCommand({}));
    return { tags: tags.Tags, limits, endpoints: endpoints.Endpoints };
  });
  assert.deepEqual(got.tags, [{ Key: "team", Value: "shop" }]);
  assert.equal(got.limits.AccountMaxReadCapacityUnits, 80000);
  assert.equal(got.limits.TableMaxWriteCapacityUnits, 40000);
  assert.deepEqual(got.endpoints, [{ Address: "dynamodb.us-east-1.amazonaws.com", CachePeriodInMinutes: 1440 }]);
});
