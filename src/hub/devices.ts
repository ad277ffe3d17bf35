// Paired devices in the hub database: pairing adds one with a hashed token; a connection authenticates by token.
import { randomBytes } from 'node:crypto';
import type { HubDatabase } from './database.ts';
import { hashToken, newSecret } from './pairing.ts';
import type { DeviceInfo } from './protocol.ts';

/** A paired device as the hub lists it. */
export interface DeviceRecord {
  id: string;
  name: string;
  info: DeviceInfo;
  pairedAt: number;
  lastSeen: number;
}

interface DeviceRow { id: string; name: string; info: string; paired_at: number; last_seen: number }

const toRecord = (r: DeviceRow): DeviceRecord => ({ id: r.id, name: r.name, info: JSON.parse(r.info) as DeviceInfo, pairedAt: r.paired_at, lastSeen: r.last_seen });

/** Longest device name kept (longer ones are cut). */
export const MAX_NAME_LENGTH = 64;

/** A device name made safe to store and print: printable, trimmed, bounded, never empty. */
export function cleanName(name: unknown): string {
  const s = String(name ?? '').replace(/[^\p{L}\p{N} ._()+-]/gu, '').trim().slice(0, MAX_NAME_LENGTH);
  return s || 'device';
}

/** The devices table. */
export class DeviceStore {
  constructor(private readonly hub: HubDatabase) {}

  /** Adds a device; returns it with its secret token (shown once, kept only hashed). */
  add(info: DeviceInfo, now = Date.now()): { device: DeviceRecord; token: string } {
    const id = `d-${randomBytes(4).toString('hex')}`;
    const token = newSecret();
    const name = cleanName(info.name);
    const stored = { ...info, name };
    this.hub.db.run('INSERT INTO devices (id, name, token_hash, info, paired_at, last_seen) VALUES (?, ?, ?, ?, ?, ?)',
      [id, name, hashToken(token), JSON.stringify(stored), now, now]);
    return { device: { id, name, info: stored, pairedAt: now, lastSeen: now }, token };
  }

  /** The device holding `token`, or undefined. */
  byToken(token: string): DeviceRecord | undefined {
    const row = this.hub.db.get('SELECT * FROM devices WHERE token_hash = ?', [hashToken(token)]) as DeviceRow | null;
    return row ? toRecord(row) : undefined;
  }

  get(id: string): DeviceRecord | undefined {
    const row = this.hub.db.get('SELECT * FROM devices WHERE id = ?', [id]) as DeviceRow | null;
    return row ? toRecord(row) : undefined;
  }

  /** Records what a device reports on connecting (its name stays the one it paired with unless it sends another). */
  seen(id: string, info: DeviceInfo, now = Date.now()): DeviceRecord {
    const name = cleanName(info.name);
    this.hub.db.run('UPDATE devices SET name = ?, info = ?, last_seen = ? WHERE id = ?', [name, JSON.stringify({ ...info, name }), now, id]);
    return this.get(id)!;
  }

  /** Every paired device, oldest first. */
  list(): DeviceRecord[] {
    return (this.hub.db.all('SELECT * FROM devices ORDER BY paired_at, id') as unknown as DeviceRow[]).map(toRecord);
  }

  /** Forgets a device (its token stops working). */
  remove(id: string): boolean {
    return this.hub.db.run('DELETE FROM devices WHERE id = ?', [id]).changes > 0;
  }
}
