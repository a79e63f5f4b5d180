/**
 * What `rxsfu join` tells about the call: participant changes as they happen (never the same list
 * twice), per-speaker audio levels every few seconds (only when they changed), and the summary at
 * the end (participants, packets, longest gap in what was heard, reconnections).
 */
import type { Call, ParticipantMap } from '../call/index.js';
import { errorMessage } from '../errors.js';
import type { ReconnectionRecord } from '../reconnect/index.js';
import type { Output } from './output.js';

/** `fast → rejoin in 812 ms (joined), after close 1006` */
export function describeRecord(record: ReconnectionRecord): string {
  const why = record.trigger.detail ? `, after ${record.trigger.detail}` : '';
  return `${record.strategiesTried.join(' → ')} in ${Math.round(record.durationMs)} ms (${record.outcome})${why}`;
}

/** dBFS of an RMS level (int16 full scale), rounded to 3 dB; below -60: silent. */
function dbfs(rms: number): string {
  if (rms < 32) return 'silent';
  return `${Math.round((20 * Math.log10(rms / 32768)) / 3) * 3} dBFS`;
}

export class CallReport {
  private readonly seen = new Map<string, string>();
  private readonly levels = new Map<string, number>();
  private readonly packets = new Map<string, { count: number; lastAt: number; longestGapMs: number }>();
  private lastLevels = '';
  private readonly records: ReconnectionRecord[] = [];
  private recording: { path: string; seconds: number } | undefined;

  /** Prints who joined and who left since the last map. */
  participants(map: ParticipantMap, out: Output): void {
    const now = new Map([...map.values()].filter((p) => !p.isLocal).map((p) => [p.sessionId, p.userId || p.sessionId] as const));
    for (const [sessionId, name] of now) if (!this.seen.has(sessionId)) out.event(`+ ${name} joined`);
    for (const [sessionId, name] of this.seen) if (!now.has(sessionId)) out.event(`- ${name} left`);
    for (const [sessionId, name] of now) this.seen.set(sessionId, name);
    for (const sessionId of [...this.seen.keys()]) if (!now.has(sessionId)) this.seen.delete(sessionId);
  }

  packet(who: string, atMs: number): void {
    const entry = this.packets.get(who);
    if (!entry) {
      this.packets.set(who, { count: 1, lastAt: atMs, longestGapMs: 0 });
      return;
    }
    entry.longestGapMs = Math.max(entry.longestGapMs, atMs - entry.lastAt);
    entry.count += 1;
    entry.lastAt = atMs;
  }

  level(who: string, rms: number): void {
    this.levels.set(who, Math.max(this.levels.get(who) ?? 0, rms));
  }

  /** The loudest level of each speaker since the last print; nothing when it reads as before. */
  printLevels(out: Output): void {
    const line = [...this.levels].sort(([a], [b]) => a.localeCompare(b)).map(([who, rms]) => `${who} ${dbfs(rms)}`).join(', ');
    this.levels.clear();
    if (line === '' || line === this.lastLevels) return;
    this.lastLevels = line;
    out.event(`levels: ${line}`);
  }

  reconnected(record: ReconnectionRecord): void {
    this.records.push(record);
  }

  recorded(path: string, seconds: number): void {
    this.recording = { path, seconds };
  }

  summary(out: Output, durationMs: number, call: Call): void {
    out.line('');
    out.line(`summary: ${(durationMs / 1000).toFixed(1)} s in the call, final state ${call.state}${call.failure ? ` (${errorMessage(call.failure)})` : ''}`);
    for (const [who, p] of [...this.packets].sort(([a], [b]) => a.localeCompare(b))) {
      out.line(`  heard ${who}: ${p.count} packets, longest gap ${Math.round(p.longestGapMs)} ms`);
    }
    if (this.packets.size === 0) out.line('  heard nobody');
    out.line(`  reconnections: ${this.records.length === 0 ? 'none' : this.records.map(describeRecord).join('; ')}`);
    if (this.recording) out.line(`  recorded ${this.recording.seconds.toFixed(1)} s to ${this.recording.path}`);
  }
}
