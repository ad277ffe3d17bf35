// Models on the device, by SHA-256: memory first, then IndexedDB (kept across visits), else fetched from the hub and verified.
import { sha256Hex } from './sha256.ts';
import type { ModelRef } from '../../src/hub/protocol.ts';

const DB_NAME = 'ondevice-hub-models';
const memory = new Map<string, Uint8Array>();

function openDb(): Promise<IDBDatabase | null> {
  if (!globalThis.indexedDB) return Promise.resolve(null);
  return new Promise((ok) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore('models');
    req.onsuccess = () => ok(req.result);
    req.onerror = () => ok(null);
  });
}

async function fromDb(sha256: string): Promise<Uint8Array | undefined> {
  const db = await openDb();
  if (!db) return undefined;
  return new Promise((ok) => {
    const req = db.transaction('models').objectStore('models').get(sha256);
    req.onsuccess = () => ok(req.result instanceof Uint8Array ? req.result : undefined);
    req.onerror = () => ok(undefined);
  });
}

async function toDb(sha256: string, bytes: Uint8Array): Promise<void> {
  const db = await openDb();
  if (!db) return;
  await new Promise<void>((ok) => {
    const tx = db.transaction('models', 'readwrite');
    tx.objectStore('models').put(bytes, sha256);
    tx.oncomplete = () => ok();
    tx.onerror = () => ok();
  });
}

/** Thrown when the bytes the hub sent do not hash to what the job names. */
export class HashMismatchError extends Error {
  override readonly name = 'HashMismatchError';
}

/**
 * The bytes of `model`: from the cache (re-verified), or fetched from the hub with the device token and verified
 * against its SHA-256 before anything runs it. `cached` says whether it came from the cache.
 */
export async function modelBytes(model: ModelRef, token: string): Promise<{ bytes: Uint8Array; cached: boolean; fetchMs: number }> {
  const hit = memory.get(model.sha256) ?? (await fromDb(model.sha256));
  if (hit && (await sha256Hex(hit)) === model.sha256) {
    memory.set(model.sha256, hit);
    return { bytes: hit, cached: true, fetchMs: 0 };
  }
  const t0 = performance.now();
  const res = await fetch(`/models/${model.sha256}`, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
  if (!res.ok) throw new Error(`cannot fetch model ${model.sha256.slice(0, 12)}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const fetchMs = performance.now() - t0;
  const got = await sha256Hex(bytes);
  if (got !== model.sha256) throw new HashMismatchError(`model ${model.sha256.slice(0, 12)}… arrived with SHA-256 ${got.slice(0, 12)}…: not run`);
  memory.set(model.sha256, bytes);
  await toDb(model.sha256, bytes);
  return { bytes, cached: false, fetchMs };
}
