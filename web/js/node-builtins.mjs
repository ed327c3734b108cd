// The Node.js built-in modules that Lambda functions most often use, for the browser runtime
// (crates/browser/js/runtime.js), which has no Node.js: `require("crypto")`,
// `import { randomUUID } from "node:crypto"` and the rest resolve here. web/js/lambda-sdk.mjs
// bundles this file to `lambda-sdk/node-builtins.mjs`; a worker loads it on first use and calls
// `builtins` with what it already has (its Buffer and its console formatting).
//
// Each module keeps Node's names and behaviour for what it offers; what it leaves out is absent,
// so that a function fails the way it would on a Node.js without that API. `nimbus serve` runs
// functions on real Node.js, with every built-in.

import * as flate from "fflate";

/**
 * Built-in name -> module, for a worker with `Buffer`, `process`, `format(...args)`,
 * `inspect(value)` and the function's deployment package (`taskFiles`: absolute path -> bytes).
 */
export function builtins({ Buffer, process, format, inspect, taskFiles }) {
  const util = makeUtil(format, inspect);
  const assert = makeAssert(inspect);
  const events = makeEvents();
  const path = makePath();
  const fs = makeFs(Buffer, path, taskFiles);
  const timersPromises = {
    setTimeout: (ms, value) => new Promise((resolve) => setTimeout(() => resolve(value), ms)),
    setImmediate: (value) => new Promise((resolve) => setTimeout(() => resolve(value), 0)),
  };
  return {
    assert,
    "assert/strict": assert,
    buffer: { Buffer, atob, btoa, kMaxLength: 2 ** 32, constants: { MAX_LENGTH: 2 ** 32 } },
    crypto: makeCrypto(Buffer),
    events,
    fs,
    "fs/promises": fs.promises,
    os: makeOs(),
    path,
    "path/posix": path,
    process,
    querystring: makeQuerystring(),
    timers: {
      setTimeout,
      clearTimeout,
      setInterval,
      clearInterval,
      setImmediate: (fn, ...args) => setTimeout(fn, 0, ...args),
      clearImmediate: clearTimeout,
      promises: timersPromises,
    },
    "timers/promises": timersPromises,
    url: {
      URL,
      URLSearchParams,
      fileURLToPath: (url) => decodeURIComponent(new URL(url).pathname),
      pathToFileURL: (file) => new URL(`file://${path.resolve(file)}`),
    },
    util,
    "util/types": util.types,
    zlib: makeZlib(Buffer),
  };
}

/** Node's callback style: `compute` runs on a later turn, its value or error goes to `callback`. */
function later(compute, callback) {
  setTimeout(() => {
    let value;
    try {
      value = compute();
    } catch (error) {
      return callback(error);
    }
    callback(null, value);
  }, 0);
}

// ---- crypto: randomness from the Web Crypto API; MD5, SHA-1, SHA-256, SHA-384 and SHA-512 (and
// their HMACs) computed here, because Node's createHash is synchronous and Web Crypto's digest is
// not.

const SHA256_K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const MD5_K = new Uint32Array([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
]);
const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

const rotl = (x, n) => (x << n) | (x >>> (32 - n));
const rotr = (x, n) => (x >>> n) | (x << (32 - n));

/** The message padded to whole 64-byte blocks, its bit length at the end (MD5: little-endian). */
function padded(bytes, littleEndian) {
  const out = new Uint8Array((((bytes.length + 8) >> 6) + 1) << 6);
  out.set(bytes);
  out[bytes.length] = 0x80;
  const view = new DataView(out.buffer);
  const bits = bytes.length * 8;
  const [high, low] = [Math.floor(bits / 2 ** 32), bits >>> 0];
  if (littleEndian) {
    view.setUint32(out.length - 8, low, true);
    view.setUint32(out.length - 4, high, true);
  } else {
    view.setUint32(out.length - 8, high);
    view.setUint32(out.length - 4, low);
  }
  return view;
}

/** The words of `state` as bytes. */
function wordsOut(state, littleEndian) {
  const out = new Uint8Array(state.length * 4);
  const view = new DataView(out.buffer);
  state.forEach((word, i) => view.setUint32(i * 4, word, littleEndian));
  return out;
}

function sha256(bytes) {
  const view = padded(bytes, false);
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  for (let block = 0; block < view.byteLength; block += 64) {
    for (let t = 0; t < 16; t++) w[t] = view.getUint32(block + t * 4);
    for (let t = 16; t < 64; t++) {
      const s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
      const s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let t = 0; t < 64; t++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + SHA256_K[t] + w[t]) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      [hh, g, f, e, d, c, b, a] = [g, f, e, (d + t1) | 0, c, b, a, (t1 + t2) | 0];
    }
    [a, b, c, d, e, f, g, hh].forEach((v, i) => (h[i] += v));
  }
  return wordsOut(h, false);
}

function sha1(bytes) {
  const view = padded(bytes, false);
  const h = new Uint32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);
  const w = new Uint32Array(80);
  for (let block = 0; block < view.byteLength; block += 64) {
    for (let t = 0; t < 16; t++) w[t] = view.getUint32(block + t * 4);
    for (let t = 16; t < 80; t++) w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    let [a, b, c, d, e] = h;
    for (let t = 0; t < 80; t++) {
      const [f, k] =
        t < 20 ? [(b & c) | (~b & d), 0x5a827999]
        : t < 40 ? [b ^ c ^ d, 0x6ed9eba1]
        : t < 60 ? [(b & c) | (b & d) | (c & d), 0x8f1bbcdc]
        : [b ^ c ^ d, 0xca62c1d6];
      [e, d, c, b, a] = [d, c, rotl(b, 30), a, (rotl(a, 5) + f + e + k + w[t]) | 0];
    }
    [a, b, c, d, e].forEach((v, i) => (h[i] += v));
  }
  return wordsOut(h, false);
}

function md5(bytes) {
  const view = padded(bytes, true);
  const h = new Uint32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]);
  const m = new Uint32Array(16);
  for (let block = 0; block < view.byteLength; block += 64) {
    for (let t = 0; t < 16; t++) m[t] = view.getUint32(block + t * 4, true);
    let [a, b, c, d] = h;
    for (let i = 0; i < 64; i++) {
      const round = i >> 4;
      const f = [(b & c) | (~b & d), (d & b) | (~d & c), b ^ c ^ d, c ^ (b | ~d)][round];
      const g = [i, 5 * i + 1, 3 * i + 5, 7 * i][round] % 16;
      const sum = (a + f + MD5_K[i] + m[g]) | 0;
      [a, d, c, b] = [d, c, b, (b + rotl(sum, MD5_S[round * 4 + (i % 4)])) | 0];
    }
    [a, b, c, d].forEach((v, i) => (h[i] += v));
  }
  return wordsOut(h, true);
}

// SHA-384 and SHA-512 work on 64-bit words, here BigInts. Their constants are the first 64 bits
// of the fractional parts of the square roots (initial values) and cube roots (round constants)
// of the first primes (FIPS 180-4, sections 4.2.3, 5.3.4 and 5.3.5), computed once.
const MASK64 = (1n << 64n) - 1n;
const rotr64 = (x, n) => ((x >> n) | (x << (64n - n))) & MASK64;

/** The first 64 fractional bits of the `k`-th root of `n`, by Newton's method on integers. */
function rootFraction(n, k) {
  const target = BigInt(n) << BigInt(64 * k);
  const kk = BigInt(k);
  let x = BigInt(Math.ceil(n ** (1 / k)) + 1) << 64n;
  for (;;) {
    const next = ((kk - 1n) * x + target / x ** (kk - 1n)) / kk;
    if (next >= x) return x & MASK64;
    x = next;
  }
}

const PRIMES = [];
for (let n = 2; PRIMES.length < 80; n++) if (PRIMES.every((p) => n % p !== 0)) PRIMES.push(n);
const SHA512_K = PRIMES.map((p) => rootFraction(p, 3));
const SHA512_H = PRIMES.slice(0, 8).map((p) => rootFraction(p, 2));
const SHA384_H = PRIMES.slice(8, 16).map((p) => rootFraction(p, 2));

/** SHA-512's compression over 128-byte blocks from `initial`; the first `size` bytes out. */
function sha2_64(bytes, initial, size) {
  const out = new Uint8Array((((bytes.length + 16) >> 7) + 1) << 7);
  out.set(bytes);
  out[bytes.length] = 0x80;
  const view = new DataView(out.buffer);
  view.setBigUint64(out.length - 8, BigInt(bytes.length) * 8n);
  const h = [...initial];
  const w = new Array(80);
  for (let block = 0; block < out.length; block += 128) {
    for (let t = 0; t < 16; t++) w[t] = view.getBigUint64(block + t * 8);
    for (let t = 16; t < 80; t++) {
      const s0 = rotr64(w[t - 15], 1n) ^ rotr64(w[t - 15], 8n) ^ (w[t - 15] >> 7n);
      const s1 = rotr64(w[t - 2], 19n) ^ rotr64(w[t - 2], 61n) ^ (w[t - 2] >> 6n);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) & MASK64;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let t = 0; t < 80; t++) {
      const s1 = rotr64(e, 14n) ^ rotr64(e, 18n) ^ rotr64(e, 41n);
      const t1 = (hh + s1 + ((e & f) ^ (~e & MASK64 & g)) + SHA512_K[t] + w[t]) & MASK64;
      const s0 = rotr64(a, 28n) ^ rotr64(a, 34n) ^ rotr64(a, 39n);
      const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) & MASK64;
      [hh, g, f, e, d, c, b, a] = [g, f, e, (d + t1) & MASK64, c, b, a, (t1 + t2) & MASK64];
    }
    [a, b, c, d, e, f, g, hh].forEach((v, i) => (h[i] = (h[i] + v) & MASK64));
  }
  const digest = new DataView(new ArrayBuffer(64));
  h.forEach((word, i) => digest.setBigUint64(i * 8, word));
  return new Uint8Array(digest.buffer, 0, size);
}

const sha512 = (bytes) => sha2_64(bytes, SHA512_H, 64);
const sha384 = (bytes) => sha2_64(bytes, SHA384_H, 48);

const DIGESTS = { md5, sha1, sha256, sha384, sha512 };
/** HMAC's block size (RFC 2104's B) of each digest. */
const BLOCK_SIZES = new Map([[sha384, 128], [sha512, 128]]);

function makeCrypto(Buffer) {
  const bytesOf = (data, encoding) => (typeof data === "string" ? Buffer.from(data, encoding) : new Uint8Array(data.buffer ?? data, data.byteOffset ?? 0, data.byteLength));
  const digestOf = (algorithm) => {
    const digest = DIGESTS[String(algorithm).toLowerCase().replace("-", "")];
    if (!digest) throw new Error("Digest method not supported");
    return digest;
  };
  const output = (bytes, encoding) => (encoding ? Buffer.from(bytes).toString(encoding) : Buffer.from(bytes));

  class Hash {
    constructor(digest) {
      this.digest_ = digest;
      this.parts = [];
    }
    update(data, encoding) {
      this.parts.push(bytesOf(data, encoding));
      return this;
    }
    digest(encoding) {
      return output(this.digest_(Buffer.concat(this.parts)), encoding);
    }
  }

  // HMAC (RFC 2104) over the digest's block.
  class Hmac extends Hash {
    constructor(digest, key) {
      super(digest);
      const size = BLOCK_SIZES.get(digest) ?? 64;
      let block = bytesOf(key, "utf8");
      if (block.length > size) block = digest(block);
      this.key = Buffer.alloc(size);
      this.key.set(block);
    }
    digest(encoding) {
      const inner = this.digest_(Buffer.concat([this.key.map((b) => b ^ 0x36), ...this.parts]));
      return output(this.digest_(Buffer.concat([this.key.map((b) => b ^ 0x5c), inner])), encoding);
    }
  }

  const randomFill = (bytes) => {
    for (let at = 0; at < bytes.length; at += 65536) globalThis.crypto.getRandomValues(bytes.subarray(at, at + 65536));
    return bytes;
  };
  const withCallback = (compute, callback) => (typeof callback === "function" ? later(compute, callback) : compute());
  return {
    createHash: (algorithm) => new Hash(digestOf(algorithm)),
    createHmac: (algorithm, key) => new Hmac(digestOf(algorithm), key),
    getHashes: () => Object.keys(DIGESTS),
    randomUUID: () => globalThis.crypto.randomUUID(),
    randomBytes: (size, callback) => withCallback(() => randomFill(Buffer.alloc(size)), callback),
    randomInt: (min, max, callback) => {
      if (max === undefined || typeof max === "function") [min, max, callback] = [0, min, max];
      return withCallback(() => min + Math.floor((randomFill(new Uint32Array(1))[0] / 2 ** 32) * (max - min)), callback);
    },
    randomFillSync: (bytes) => randomFill(bytes),
    getRandomValues: (bytes) => globalThis.crypto.getRandomValues(bytes),
    timingSafeEqual: (a, b) => {
      if (a.byteLength !== b.byteLength) throw new RangeError("Input buffers must have the same byte length");
      let diff = 0;
      for (let i = 0; i < a.byteLength; i++) diff |= a[i] ^ b[i];
      return diff === 0;
    },
    webcrypto: globalThis.crypto,
    subtle: globalThis.crypto.subtle,
  };
}

// ---- util, assert

function isDeepStrictEqual(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Map || a instanceof Set) return isDeepStrictEqual([...a], [...b]);
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && isDeepStrictEqual(a[k], b[k]));
}

function makeUtil(format, inspect) {
  const custom = Symbol.for("nodejs.util.promisify.custom");
  const promisify = (fn) => {
    if (fn[custom]) return fn[custom];
    return function (...args) {
      return new Promise((resolve, reject) => fn.call(this, ...args, (error, value) => (error ? reject(error) : resolve(value))));
    };
  };
  promisify.custom = custom;
  return {
    format,
    inspect,
    promisify,
    callbackify: (fn) => (...args) => {
      const callback = args.pop();
      fn(...args).then((value) => callback(null, value), (error) => callback(error));
    },
    inherits: (child, parent) => Object.setPrototypeOf(child.prototype, parent.prototype),
    deprecate: (fn) => fn,
    isDeepStrictEqual,
    types: {
      isDate: (v) => v instanceof Date,
      isRegExp: (v) => v instanceof RegExp,
      isPromise: (v) => v instanceof Promise,
      isMap: (v) => v instanceof Map,
      isSet: (v) => v instanceof Set,
      isUint8Array: (v) => v instanceof Uint8Array,
    },
    TextEncoder,
    TextDecoder,
  };
}

function makeAssert(inspect) {
  class AssertionError extends Error {
    constructor({ message, actual, expected, operator }) {
      super(message ?? `${inspect(actual)} ${operator} ${inspect(expected)}`);
      Object.assign(this, { name: "AssertionError", code: "ERR_ASSERTION", actual, expected, operator, generatedMessage: !message });
    }
  }
  const check = (passed, actual, expected, operator, message) => {
    if (passed) return;
    if (message instanceof Error) throw message;
    throw new AssertionError({ message, actual, expected, operator });
  };
  const assert = (value, message) => check(value, value, true, "==", message ?? "The expression evaluated to a falsy value");
  const throws = (fn, message) => {
    try {
      fn();
    } catch {
      return;
    }
    check(false, undefined, undefined, "throws", message ?? "Missing expected exception.");
  };
  return Object.assign(assert, {
    AssertionError,
    ok: assert,
    // As assert/strict: equal and deepEqual are the strict comparisons.
    equal: (a, b, message) => check(Object.is(a, b), a, b, "strictEqual", message),
    strictEqual: (a, b, message) => check(Object.is(a, b), a, b, "strictEqual", message),
    notEqual: (a, b, message) => check(!Object.is(a, b), a, b, "notStrictEqual", message),
    notStrictEqual: (a, b, message) => check(!Object.is(a, b), a, b, "notStrictEqual", message),
    deepEqual: (a, b, message) => check(isDeepStrictEqual(a, b), a, b, "deepStrictEqual", message),
    deepStrictEqual: (a, b, message) => check(isDeepStrictEqual(a, b), a, b, "deepStrictEqual", message),
    notDeepStrictEqual: (a, b, message) => check(!isDeepStrictEqual(a, b), a, b, "notDeepStrictEqual", message),
    match: (text, pattern, message) => check(pattern.test(text), text, pattern, "match", message),
    throws,
    rejects: async (promise, message) => {
      try {
        await (typeof promise === "function" ? promise() : promise);
      } catch {
        return;
      }
      check(false, undefined, undefined, "rejects", message ?? "Missing expected rejection.");
    },
    fail: (message = "Failed") => check(false, undefined, undefined, "fail", message),
  });
}

// ---- events: EventEmitter, which `require("events")` answers itself, as in Node.

function makeEvents() {
  class EventEmitter {
    #listeners = new Map();
    on(name, listener) {
      this.emit("newListener", name, listener);
      this.#listeners.set(name, [...this.listeners(name), listener]);
      return this;
    }
    addListener(name, listener) {
      return this.on(name, listener);
    }
    prependListener(name, listener) {
      this.#listeners.set(name, [listener, ...this.listeners(name)]);
      return this;
    }
    once(name, listener) {
      const once = (...args) => {
        this.off(name, once);
        listener.apply(this, args);
      };
      once.listener = listener;
      return this.on(name, once);
    }
    off(name, listener) {
      const list = this.listeners(name);
      const at = list.findIndex((l) => l === listener || l.listener === listener);
      if (at >= 0) this.#listeners.set(name, list.toSpliced(at, 1));
      return this;
    }
    removeListener(name, listener) {
      return this.off(name, listener);
    }
    removeAllListeners(name) {
      if (name === undefined) this.#listeners.clear();
      else this.#listeners.delete(name);
      return this;
    }
    emit(name, ...args) {
      const list = this.listeners(name);
      if (name === "error" && !list.length) throw args[0] instanceof Error ? args[0] : new Error(`Unhandled error. (${args[0]})`);
      for (const listener of list) listener.apply(this, args);
      return list.length > 0;
    }
    listeners(name) {
      return this.#listeners.get(name) ?? [];
    }
    listenerCount(name) {
      return this.listeners(name).length;
    }
    eventNames() {
      return [...this.#listeners.keys()].filter((name) => this.listenerCount(name));
    }
    setMaxListeners() {
      return this;
    }
  }
  EventEmitter.EventEmitter = EventEmitter;
  EventEmitter.once = (emitter, name) =>
    new Promise((resolve, reject) => {
      emitter.once(name, (...args) => resolve(args));
      if (name !== "error") emitter.once("error", reject);
    });
  return EventEmitter;
}

// ---- path (POSIX, as on Lambda), os, querystring

function makePath() {
  const normalizeParts = (parts, absolute) => {
    const out = [];
    for (const part of parts) {
      if (!part || part === ".") continue;
      if (part === "..") {
        if (out.length && out.at(-1) !== "..") out.pop();
        else if (!absolute) out.push("..");
      } else out.push(part);
    }
    return out;
  };
  const normalize = (p) => {
    const absolute = p.startsWith("/");
    const joined = normalizeParts(p.split("/"), absolute).join("/");
    const tail = p.endsWith("/") && joined ? "/" : "";
    return (absolute ? "/" : "") + (joined || (absolute ? "" : ".")) + tail;
  };
  const resolve = (...paths) => {
    let out = "";
    for (const p of [...paths].reverse()) {
      out = out ? `${p}/${out}` : p;
      if (p.startsWith("/")) break;
    }
    if (!out.startsWith("/")) out = `/var/task/${out}`;
    return `/${normalizeParts(out.split("/"), true).join("/")}`;
  };
  const basename = (p, ext) => {
    const base = p.replace(/\/+$/, "").split("/").pop() ?? "";
    return ext && base.endsWith(ext) && base !== ext ? base.slice(0, -ext.length) : base;
  };
  const extname = (p) => {
    const base = basename(p);
    const dot = base.lastIndexOf(".");
    return dot > 0 ? base.slice(dot) : "";
  };
  const dirname = (p) => {
    const trimmed = p.replace(/\/+$/, "");
    const slash = trimmed.lastIndexOf("/");
    return slash < 0 ? "." : slash === 0 ? "/" : trimmed.slice(0, slash);
  };
  const relative = (from, to) => {
    const [a, b] = [resolve(from).split("/").filter(Boolean), resolve(to).split("/").filter(Boolean)];
    let common = 0;
    while (common < a.length && a[common] === b[common]) common++;
    return [...a.slice(common).map(() => ".."), ...b.slice(common)].join("/");
  };
  const path = {
    sep: "/",
    delimiter: ":",
    normalize,
    join: (...parts) => normalize(parts.filter((p) => p !== "").join("/") || "."),
    resolve,
    isAbsolute: (p) => p.startsWith("/"),
    dirname,
    basename,
    extname,
    relative,
    parse: (p) => {
      const base = basename(p);
      const ext = extname(p);
      return { root: p.startsWith("/") ? "/" : "", dir: dirname(p), base, ext, name: ext ? base.slice(0, -ext.length) : base };
    },
    format: ({ dir, root = "", base, name = "", ext = "" }) => {
      const file = base ?? name + ext;
      return dir ? `${dir}/${file}` : root + file;
    },
  };
  path.posix = path;
  return path;
}

function makeOs() {
  return {
    EOL: "\n",
    platform: () => "linux",
    type: () => "Linux",
    arch: () => "x64",
    release: () => "5.10.0",
    tmpdir: () => "/tmp",
    homedir: () => "/home/sbx_user1051",
    hostname: () => "169.254.100.1",
    cpus: () => [],
    totalmem: () => 2 ** 31,
    freemem: () => 2 ** 30,
  };
}

function makeQuerystring() {
  return {
    parse: (text, sep = "&", eq = "=") => {
      const out = {};
      for (const pair of String(text).split(sep)) {
        if (!pair) continue;
        const at = pair.indexOf(eq);
        const decode = (s) => decodeURIComponent(s.replace(/\+/g, " "));
        const [key, value] = at < 0 ? [decode(pair), ""] : [decode(pair.slice(0, at)), decode(pair.slice(at + eq.length))];
        out[key] = Object.hasOwn(out, key) ? [].concat(out[key], value) : value;
      }
      return out;
    },
    stringify: (object, sep = "&", eq = "=") =>
      Object.entries(object)
        .flatMap(([key, value]) => [].concat(value).map((v) => `${encodeURIComponent(key)}${eq}${encodeURIComponent(v ?? "")}`))
        .join(sep),
    escape: encodeURIComponent,
    unescape: decodeURIComponent,
  };
}

// ---- zlib: gzip, zlib (Node's "deflate") and raw DEFLATE, compressed and inflated with fflate,
// in Node's synchronous, callback and promisify-able forms. Output is what any zlib reads (and a
// gzip header is Node's: no time, Unix); errors carry Node's code, errno and text. Brotli and the
// stream classes are absent.

function makeZlib(Buffer) {
  const constants = { Z_NO_COMPRESSION: 0, Z_BEST_SPEED: 1, Z_BEST_COMPRESSION: 9, Z_DEFAULT_COMPRESSION: -1 };
  // Node's argument errors: what was received, described as Node describes it.
  const received = (value) => {
    if (value === null || value === undefined) return String(value);
    if (typeof value === "object") return `an instance of ${value.constructor?.name ?? "Object"}`;
    const shown = typeof value === "string" ? `'${value}'` : typeof value === "bigint" ? `${value}n` : String(value);
    return `type ${typeof value} (${shown})`;
  };
  const argumentError = (Kind, code, message) => Object.assign(new Kind(message), { code });
  const input = (data) => {
    if (typeof data === "string") return Buffer.from(data);
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    throw argumentError(
      TypeError,
      "ERR_INVALID_ARG_TYPE",
      `The "buffer" argument must be of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer. Received ${received(data)}`,
    );
  };
  const level = (options) => {
    const wanted = options?.level ?? -1;
    if (typeof wanted !== "number") {
      throw argumentError(TypeError, "ERR_INVALID_ARG_TYPE", `The "options.level" property must be of type number. Received ${received(wanted)}`);
    }
    if (!(wanted >= -1 && wanted <= 9)) {
      throw argumentError(RangeError, "ERR_OUT_OF_RANGE", `The value of "options.level" is out of range. It must be >= -1 and <= 9. Received ${wanted}`);
    }
    return wanted === -1 ? 6 : wanted;
  };
  const zlibError = (message, code, errno) => Object.assign(new Error(message), { code, errno });
  // zlib's words for what fflate found wrong, by fflate's error code.
  const inflateError = (error, bytes, header) => {
    if (error.code === 0 || (error.code === 6 && header(bytes) && bytes.length < 18)) {
      return zlibError("unexpected end of file", "Z_BUF_ERROR", -5);
    }
    const message = { 1: "invalid block type", 2: "invalid literal/length code", 3: "invalid distance code" }[error.code];
    return zlibError(message ?? "incorrect header check", "Z_DATA_ERROR", -3);
  };
  const isGzip = (b) => b[0] === 0x1f && b[1] === 0x8b && b[2] === 8;
  const isZlib = (b) => b.length > 1 && (b[0] & 0x0f) === 8 && ((b[0] << 8) | b[1]) % 31 === 0;
  const inflating = (inflate, header) => (data) => {
    const bytes = input(data);
    if (header && bytes.length >= 2 && !header(bytes)) throw zlibError("incorrect header check", "Z_DATA_ERROR", -3);
    try {
      return Buffer.from(inflate(bytes));
    } catch (error) {
      throw inflateError(error, bytes, header ?? (() => false));
    }
  };
  const sync = {
    gzipSync: (data, options) => Buffer.from(flate.gzipSync(input(data), { level: level(options), mtime: 0 })),
    deflateSync: (data, options) => Buffer.from(flate.zlibSync(input(data), { level: level(options) })),
    deflateRawSync: (data, options) => Buffer.from(flate.deflateSync(input(data), { level: level(options) })),
    gunzipSync: inflating(flate.gunzipSync, isGzip),
    inflateSync: inflating(flate.unzlibSync, isZlib),
    inflateRawSync: inflating(flate.inflateSync, null),
    // Either header, as Node's unzip detects it.
    unzipSync: (data) => {
      const bytes = input(data);
      return isGzip(bytes) ? sync.gunzipSync(bytes) : sync.inflateSync(bytes);
    },
  };
  const callbacks = {};
  for (const [name, call] of Object.entries(sync)) {
    callbacks[name.slice(0, -4)] = (data, options, callback) => {
      if (typeof options === "function") [options, callback] = [undefined, options];
      later(() => call(data, options), callback);
    };
  }
  return { ...sync, ...callbacks, constants, ...constants };
}

// ---- fs: the deployment package under /var/task, read-only, and a /tmp that keeps what a
// function writes for the life of its execution environment, as Lambda's /tmp does between
// warm invocations. Nothing else exists. Errors carry Node's code, errno, syscall and text.

const ERRORS = {
  ENOENT: [-2, "no such file or directory"],
  EEXIST: [-17, "file already exists"],
  ENOTDIR: [-20, "not a directory"],
  EISDIR: [-21, "illegal operation on a directory"],
  EROFS: [-30, "read-only file system"],
  ENOTEMPTY: [-39, "directory not empty"],
};

function makeFs(Buffer, path, taskFiles) {
  const fail = (code, syscall, file) => {
    const [errno, text] = ERRORS[code];
    return Object.assign(new Error(`${code}: ${text}, ${syscall} '${file}'`), { errno, code, syscall, path: file });
  };
  const written = new Map(); // /tmp file -> bytes
  const dirs = new Set(["/", "/tmp", "/var"]);
  for (const file of taskFiles.keys()) {
    for (let dir = path.dirname(file); !dirs.has(dir); dir = path.dirname(dir)) dirs.add(dir);
  }
  const resolve = (file) => path.resolve(String(file instanceof URL ? decodeURIComponent(file.pathname) : file));
  const contents = (file) => written.get(file) ?? taskFiles.get(file);
  const encodingOf = (options) => (typeof options === "string" ? options : options?.encoding);
  const bytesOf = (data, options) => (typeof data === "string" ? Buffer.from(data, encodingOf(options) ?? "utf8") : Buffer.from(data));
  const children = (dir) => {
    const prefix = dir === "/" ? "/" : `${dir}/`;
    const names = new Set();
    for (const entry of [...dirs, ...taskFiles.keys(), ...written.keys()]) {
      if (entry.startsWith(prefix) && entry !== dir) names.add(entry.slice(prefix.length).split("/")[0]);
    }
    return [...names].sort();
  };
  /** The writable path `file` (in /tmp, its directory existing), or the error for `syscall`. */
  const writable = (file, syscall) => {
    if (file !== "/tmp" && !file.startsWith("/tmp/")) throw fail("EROFS", syscall, file);
    if (!dirs.has(path.dirname(file))) throw fail("ENOENT", syscall, file);
    if (dirs.has(file)) throw fail("EISDIR", syscall, file);
    return file;
  };
  const stats = (file, isDir, size) => {
    const mtime = new Date();
    return { size, mode: isDir ? 0o40755 : 0o100644, mtime, mtimeMs: mtime.getTime(), isFile: () => !isDir, isDirectory: () => isDir, isSymbolicLink: () => false };
  };

  const sync = {
    existsSync: (file) => {
      const at = resolve(file);
      return dirs.has(at) || contents(at) !== undefined;
    },
    accessSync: (file) => {
      if (!sync.existsSync(file)) throw fail("ENOENT", "access", resolve(file));
    },
    statSync: (file, options) => {
      const at = resolve(file);
      if (dirs.has(at)) return stats(at, true, 4096);
      const bytes = contents(at);
      if (bytes) return stats(at, false, bytes.length);
      if (options?.throwIfNoEntry === false) return undefined;
      throw fail("ENOENT", "stat", at);
    },
    readFileSync: (file, options) => {
      const at = resolve(file);
      if (dirs.has(at)) throw fail("EISDIR", "read", at);
      const bytes = contents(at);
      if (!bytes) throw fail("ENOENT", "open", at);
      const encoding = encodingOf(options);
      return encoding ? Buffer.from(bytes).toString(encoding) : Buffer.from(bytes);
    },
    readdirSync: (dir, options) => {
      const at = resolve(dir);
      if (!dirs.has(at)) throw fail(contents(at) ? "ENOTDIR" : "ENOENT", "scandir", at);
      const names = children(at);
      if (!options?.withFileTypes) return names;
      return names.map((name) => {
        const isDir = dirs.has(path.join(at, name));
        return { name, isFile: () => !isDir, isDirectory: () => isDir, isSymbolicLink: () => false };
      });
    },
    writeFileSync: (file, data, options) => {
      written.set(writable(resolve(file), "open"), bytesOf(data, options));
    },
    appendFileSync: (file, data, options) => {
      const at = writable(resolve(file), "open");
      written.set(at, Buffer.concat([written.get(at) ?? Buffer.alloc(0), bytesOf(data, options)]));
    },
    copyFileSync: (from, to) => sync.writeFileSync(to, sync.readFileSync(from)),
    mkdirSync: (dir, options) => {
      const at = resolve(dir);
      if (dirs.has(at)) {
        if (options?.recursive) return undefined;
        throw fail("EEXIST", "mkdir", at);
      }
      // Recursive: answers the first directory it had to make, as Node does.
      const first = options?.recursive && !dirs.has(path.dirname(at)) ? sync.mkdirSync(path.dirname(at), options) : undefined;
      dirs.add(writable(at, "mkdir"));
      return options?.recursive ? (first ?? at) : undefined;
    },
    unlinkSync: (file) => {
      const at = resolve(file);
      if (!written.has(at)) throw fail(dirs.has(at) ? "EISDIR" : at.startsWith("/tmp/") ? "ENOENT" : "EROFS", "unlink", at);
      written.delete(at);
    },
    rmSync: (file, options) => {
      const at = resolve(file);
      if (dirs.has(at) && options?.recursive && at.startsWith("/tmp/")) {
        for (const entry of [...written.keys(), ...dirs]) if (entry.startsWith(`${at}/`)) (written.delete(entry), dirs.delete(entry));
        dirs.delete(at);
      } else if (!written.has(at) && options?.force && !dirs.has(at)) {
        return;
      } else sync.unlinkSync(at);
    },
    renameSync: (from, to) => {
      const [source, target] = [resolve(from), writable(resolve(to), "rename")];
      if (!written.has(source)) throw fail(source.startsWith("/tmp/") ? "ENOENT" : "EROFS", "rename", source);
      written.set(target, written.get(source));
      written.delete(source);
    },
  };

  // Node's callback and promise forms of each call, over the synchronous one.
  const promises = {};
  const callbacks = {};
  for (const [name, call] of Object.entries(sync)) {
    if (name === "existsSync") continue;
    const base = name.slice(0, -4);
    promises[base] = async (...args) => call(...args);
    callbacks[base] = (...args) => {
      const callback = typeof args.at(-1) === "function" ? args.pop() : () => {};
      later(() => call(...args), callback);
    };
  }
  const constants = { F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1 };
  return { ...sync, ...callbacks, exists: (file, callback) => setTimeout(() => callback(sync.existsSync(file)), 0), promises: { ...promises, constants }, constants };
}
