/**
 * SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104) in plain TypeScript: the core runs on every
 * runtime and may not import `node:crypto`; Web Crypto is asynchronous only. Inputs are bytes or
 * strings (encoded as UTF-8).
 *
 * @internal
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
])

const encoder = new TextEncoder()

/** UTF-8 bytes of a string, or the bytes themselves. */
export const bytesOf = (input: Uint8Array | string): Uint8Array => (typeof input === "string" ? encoder.encode(input) : input)

const compress = (state: Int32Array, w: Int32Array, block: Uint8Array, offset: number): void => {
  for (let i = 0; i < 16; i++) {
    const j = offset + i * 4
    w[i] = (block[j]! << 24) | (block[j + 1]! << 16) | (block[j + 2]! << 8) | block[j + 3]!
  }
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!
    const y = w[i - 2]!
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0
  }
  let a = state[0]!
  let b = state[1]!
  let c = state[2]!
  let d = state[3]!
  let e = state[4]!
  let f = state[5]!
  let g = state[6]!
  let h = state[7]!
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
    const ch = (e & f) ^ (~e & g)
    const t1 = (h + S1 + ch + K[i]! + w[i]!) | 0
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
    const maj = (a & b) ^ (a & c) ^ (b & c)
    const t2 = (S0 + maj) | 0
    h = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c
    c = b
    b = a
    a = (t1 + t2) | 0
  }
  state[0] = (state[0]! + a) | 0
  state[1] = (state[1]! + b) | 0
  state[2] = (state[2]! + c) | 0
  state[3] = (state[3]! + d) | 0
  state[4] = (state[4]! + e) | 0
  state[5] = (state[5]! + f) | 0
  state[6] = (state[6]! + g) | 0
  state[7] = (state[7]! + h) | 0
}

/** The SHA-256 digest (32 bytes) of the input. */
export const sha256 = (input: Uint8Array | string): Uint8Array => {
  const data = bytesOf(input)
  const state = new Int32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
  ])
  const w = new Int32Array(64)
  const full = data.length - (data.length % 64)
  for (let offset = 0; offset < full; offset += 64) compress(state, w, data, offset)
  const tailLength = data.length - full
  const tail = new Uint8Array(tailLength < 56 ? 64 : 128)
  tail.set(data.subarray(full))
  tail[tailLength] = 0x80
  const bits = data.length * 8
  const end = tail.length
  tail[end - 1] = bits & 0xff
  tail[end - 2] = (bits >>> 8) & 0xff
  tail[end - 3] = (bits >>> 16) & 0xff
  tail[end - 4] = (bits >>> 24) & 0xff
  const high = Math.floor(bits / 0x100000000)
  tail[end - 5] = high & 0xff
  tail[end - 6] = (high >>> 8) & 0xff
  tail[end - 7] = (high >>> 16) & 0xff
  tail[end - 8] = (high >>> 24) & 0xff
  for (let offset = 0; offset < tail.length; offset += 64) compress(state, w, tail, offset)
  const out = new Uint8Array(32)
  for (let i = 0; i < 8; i++) {
    const v = state[i]!
    out[i * 4] = v >>> 24
    out[i * 4 + 1] = (v >>> 16) & 0xff
    out[i * 4 + 2] = (v >>> 8) & 0xff
    out[i * 4 + 3] = v & 0xff
  }
  return out
}

/** HMAC-SHA-256 (RFC 2104) of `message` under `key` (32 bytes). */
export const hmacSha256 = (key: Uint8Array | string, message: Uint8Array | string): Uint8Array => {
  let k = bytesOf(key)
  if (k.length > 64) k = sha256(k)
  const inner = new Uint8Array(64)
  const outer = new Uint8Array(64)
  inner.set(k)
  outer.set(k)
  for (let i = 0; i < 64; i++) {
    inner[i] = inner[i]! ^ 0x36
    outer[i] = outer[i]! ^ 0x5c
  }
  const m = bytesOf(message)
  const innerInput = new Uint8Array(64 + m.length)
  innerInput.set(inner)
  innerInput.set(m, 64)
  const innerHash = sha256(innerInput)
  const outerInput = new Uint8Array(96)
  outerInput.set(outer)
  outerInput.set(innerHash, 64)
  return sha256(outerInput)
}

/** Lower-case hexadecimal of bytes. */
export const toHex = (bytes: Uint8Array): string => {
  let out = ""
  for (const b of bytes) out += (b < 16 ? "0" : "") + b.toString(16)
  return out
}

/** Compares two byte strings in time that depends only on their lengths (no early exit on a mismatch). */
export const constantTimeEquals = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}
