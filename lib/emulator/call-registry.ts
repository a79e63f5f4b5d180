/**
 * Calls and their participants, shared by every SFU of one emulator (and the coordinator), so a
 * participant on SFU 0 sees the ones on SFU 1, and MIGRATE/REJOIN can find a session wherever it is.
 * Each entry knows how to deliver an event to its participant; simulated participants swallow them.
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { SfuEventInit, Participant, TrackType } from '../protocol/index.js';

/** One participant session as the whole emulator knows it. */
export interface RegisteredSession {
  readonly sessionId: string;
  readonly userId: string;
  readonly callCid: string;
  readonly trackLookupPrefix: string;
  readonly joinedAtMs: number;
  readonly simulated: boolean;
  /** The SFU the session's media and socket live on. */
  readonly sfuId: string;
  /** Track types the participant currently publishes (announced and not muted). */
  readonly publishedTracks: Set<TrackType>;
  /** Whether a socket is attached right now (always false for simulated participants). */
  connected(): boolean;
  /** Sends an event to this participant (no-op for a simulated one). */
  deliver(event: SfuEventInit): void;
}

export interface CallEntry {
  readonly cid: string;
  readonly type: string;
  readonly id: string;
  readonly createdBy: string;
  readonly createdAtMs: number;
  readonly sessions: Map<string, RegisteredSession>;
}

/** A live participant, as `emu.liveSessions()` lists it. */
export interface LiveSession {
  callCid: string;
  userId: string;
  sessionId: string;
  sfuId: string;
  connected: boolean;
  simulated: boolean;
}

export class CallRegistry {
  private readonly calls = new Map<string, CallEntry>();
  /** Calls ended for everyone: the coordinator refuses to join them again (as Stream does without JoinEndedCall). */
  private readonly ended = new Set<string>();

  /** `scheduler` stamps `createdAtMs` (the emulator's clock). */
  constructor(private readonly scheduler: SchedulerLike = asyncScheduler) {}

  getCall(cid: string): CallEntry | undefined {
    return this.calls.get(cid);
  }

  /** Returns the call, creating it when missing; `created` says which. */
  ensureCall(cid: string, createdBy: string): { call: CallEntry; created: boolean } {
    const existing = this.calls.get(cid);
    if (existing) return { call: existing, created: false };
    const [type = 'default', id = cid] = splitCid(cid);
    const call: CallEntry = { cid, type, id, createdBy, createdAtMs: this.scheduler.now(), sessions: new Map() };
    this.calls.set(cid, call);
    return { call, created: true };
  }

  /** Adds (or replaces, for MIGRATE) a session; the call is created if needed. */
  add(session: RegisteredSession): void {
    this.ensureCall(session.callCid, session.userId).call.sessions.set(session.sessionId, session);
  }

  /** Removes a session if `session` is still the registered one (a migrated session is not removed by its old SFU). */
  remove(session: RegisteredSession): boolean {
    const call = this.calls.get(session.callCid);
    if (!call || call.sessions.get(session.sessionId) !== session) return false;
    call.sessions.delete(session.sessionId);
    return true;
  }

  find(sessionId: string): RegisteredSession | undefined {
    for (const call of this.calls.values()) {
      const found = call.sessions.get(sessionId);
      if (found) return found;
    }
    return undefined;
  }

  sessions(cid: string): RegisteredSession[] {
    return [...(this.calls.get(cid)?.sessions.values() ?? [])];
  }

  /** Sends `event` to every participant of the call except `exceptSessionId`. */
  broadcast(cid: string, event: SfuEventInit, exceptSessionId?: string): void {
    for (const session of this.sessions(cid)) {
      if (session.sessionId !== exceptSessionId) session.deliver(event);
    }
  }

  participantCount(cid: string): { total: number; anonymous: number } {
    return { total: this.sessions(cid).length, anonymous: 0 };
  }

  liveSessions(cid?: string): LiveSession[] {
    const calls = cid === undefined ? [...this.calls.values()] : [this.calls.get(cid)].filter((c) => c !== undefined);
    return calls.flatMap((call) =>
      [...call.sessions.values()].map((s) => ({
        callCid: call.cid,
        userId: s.userId,
        sessionId: s.sessionId,
        sfuId: s.sfuId,
        connected: s.connected(),
        simulated: s.simulated,
      })),
    );
  }

  deleteCall(cid: string): void {
    this.calls.delete(cid);
  }

  /** The call is over for good: later coordinator joins of it are refused. */
  markEnded(cid: string): void {
    this.ended.add(cid);
  }

  isEnded(cid: string): boolean {
    return this.ended.has(cid);
  }

  clear(): void {
    this.calls.clear();
    this.ended.clear();
  }
}

/** The wire form of a participant. */
export function toParticipant(session: RegisteredSession): Participant {
  return {
    userId: session.userId,
    sessionId: session.sessionId,
    publishedTracks: [...session.publishedTracks],
    joinedAt: { seconds: Math.floor(session.joinedAtMs / 1000), nanos: (session.joinedAtMs % 1000) * 1e6 },
    trackLookupPrefix: session.trackLookupPrefix,
    name: session.userId,
    roles: ['user'],
  };
}

function splitCid(cid: string): [string?, string?] {
  const colon = cid.indexOf(':');
  return colon < 0 ? [undefined, cid] : [cid.slice(0, colon), cid.slice(colon + 1)];
}
