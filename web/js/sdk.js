// The AWS SDK for JavaScript v3, wired to the in-page emulator.
//
// `window.nimbus.sdk(playgroundId)` returns real SDK clients whose requestHandler hands each signed
// HTTP request to the wasm `JsPlayground.handle(...)` instead of the network, so the same code that
// runs here runs against AWS unchanged (only `endpoint` and `requestHandler` differ).
import * as dynamodb from "@aws-sdk/client-dynamodb";
import * as dynamodbStreams from "@aws-sdk/client-dynamodb-streams";
import * as libDynamodb from "@aws-sdk/lib-dynamodb";
import * as sqs from "@aws-sdk/client-sqs";
import * as s3 from "@aws-sdk/client-s3";
import * as sns from "@aws-sdk/client-sns";
import * as lambda from "@aws-sdk/client-lambda";
import * as cognito from "@aws-sdk/client-cognito-identity-provider";
import { HttpResponse } from "@smithy/protocol-http";
import { buildQueryString } from "@smithy/core/protocols";

// The endpoint LocalStack made familiar; the request never leaves the page.
const ENDPOINT = "http://localhost:4566";
const REGION = "us-east-1";
const CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

// Trunk sets `window.wasmBindings` once the wasm module has initialised and then fires
// `TrunkApplicationStarted`; SDK calls made before that simply wait for it.
function wasmBindings() {
  if (window.wasmBindings) return Promise.resolve(window.wasmBindings);
  return new Promise((resolve) =>
    addEventListener("TrunkApplicationStarted", () => resolve(window.wasmBindings), { once: true }),
  );
}

// The app's shared handle: one per playground per tab, so the UI and the SDK see one state.
// (The Rust side caches it; asking each time keeps a deleted playground from lingering here.)
async function openPlayground(id) {
  return (await wasmBindings()).openPlayground(id);
}

// The SDK hands us strings, Uint8Arrays, Blobs or ReadableStreams; the emulator wants bytes.
async function bodyBytes(body) {
  if (body === undefined || body === null) return undefined;
  if (body instanceof Uint8Array) return body;
  if (typeof body === "string") return new TextEncoder().encode(body);
  if (typeof body.getReader === "function") return streamBytes(body);
  return new Uint8Array(await new Response(body).arrayBuffer());
}

// Read by hand rather than through `Response`: the SDK's aws-chunked encoder (streamed S3 bodies
// with a trailing checksum) enqueues strings for the chunk framing, which `Response` rejects.
async function streamBytes(stream) {
  const parts = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (typeof value === "string") parts.push(new TextEncoder().encode(value));
    else if (value instanceof ArrayBuffer) parts.push(new Uint8Array(value));
    else parts.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  }
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

/** A smithy HttpHandler that answers from the in-page emulator. */
export class PlaygroundHandler {
  constructor(playgroundId) {
    this.playgroundId = playgroundId;
    this.metadata = { handlerProtocol: "http/1.1" };
  }

  async handle(request) {
    const playground = await openPlayground(this.playgroundId);
    const query = buildQueryString(request.query || {});
    const port = request.port ? `:${request.port}` : "";
    const url = `${request.protocol}//${request.hostname}${port}${request.path}${query ? `?${query}` : ""}`;
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : await bodyBytes(request.body);
    let res;
    try {
      res = await playground.handle(request.method, url, { ...request.headers }, body);
    } finally {
      playground.free(); // this wrapper only; the playground stays open in the app
    }
    const headers = {};
    for (const [name, value] of Object.entries(res.headers || {})) headers[name.toLowerCase()] = String(value);
    // Like FetchHttpHandler: the body is a ReadableStream, which both the SDK's body collector and
    // S3's streaming GetObject output (sdkStreamMixin) accept.
    const bytes = res.body instanceof Uint8Array ? res.body : new Uint8Array(res.body || []);
    return {
      response: new HttpResponse({ statusCode: res.statusCode, headers, body: new Blob([bytes]).stream() }),
    };
  }

  updateHttpClientConfig() {}
  httpHandlerConfigs() {
    return {};
  }
  destroy() {}
}

/** SDK client configuration for one playground. */
export function clientConfig(playgroundId, extra = {}) {
  return {
    endpoint: ENDPOINT,
    region: REGION,
    credentials: CREDENTIALS,
    requestHandler: new PlaygroundHandler(playgroundId),
    ...extra,
  };
}

/** Ready-made clients for one playground. */
export function sdk(playgroundId) {
  const dynamodbClient = new dynamodb.DynamoDBClient(clientConfig(playgroundId));
  return {
    dynamodb: dynamodbClient,
    documentClient: libDynamodb.DynamoDBDocumentClient.from(dynamodbClient),
    dynamodbStreams: new dynamodbStreams.DynamoDBStreamsClient(clientConfig(playgroundId)),
    sqs: new sqs.SQSClient(clientConfig(playgroundId)),
    // Path-style: `bucket.localhost` would need a wildcard host the emulator cannot know about.
    s3: new s3.S3Client(clientConfig(playgroundId, { forcePathStyle: true })),
    sns: new sns.SNSClient(clientConfig(playgroundId)),
    lambda: new lambda.LambdaClient(clientConfig(playgroundId)),
    cognito: new cognito.CognitoIdentityProviderClient(clientConfig(playgroundId)),
  };
}

window.nimbus = {
  ...(window.nimbus || {}),
  sdk,
  clientConfig,
  PlaygroundHandler,
  // The client classes and commands, so page scripts (and tests) need no bundler of their own.
  aws: {
    dynamodb,
    dynamodbStreams,
    libDynamodb,
    sqs,
    s3,
    sns,
    lambda,
    cognito,
  },
};
