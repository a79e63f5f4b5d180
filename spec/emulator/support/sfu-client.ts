/**
 * A raw signaling client for emulator specs: a `ws` socket speaking SfuRequest/SfuEvent frames,
 * collecting every decoded event, with waits that resolve on events (never on sleeps).
 */
import { WebSocket } from 'ws';
import { decodeSfuEvent, encodeSfuRequest, type JoinRequest, type SfuEvent, type SfuEventKind, type SfuRequestInit } from '../../../lib/protocol/index.js';

export interface CloseInfo {
  code: number;
  reason: string;
}

export class RawSfuClient {
  readonly events: SfuEvent[] = [];
  readonly closed: Promise<CloseInfo>;
  readonly opened: Promise<void>;
  private readonly socket: WebSocket;
  private readonly waiters: (() => void)[] = [];
  private readonly listeners: ((event: SfuEvent) => void)[] = [];

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) => this.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.socket.on('error', () => undefined);
    this.socket.on('message', (data: Buffer) => {
      const event = decodeSfuEvent(data);
      this.events.push(event);
      for (const listener of this.listeners) listener(event);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async connect(url: string): Promise<RawSfuClient> {
    const client = new RawSfuClient(url);
    await client.opened;
    return client;
  }

  /** Calls `listener` for every event from now on. */
  onEvent(listener: (event: SfuEvent) => void): void {
    this.listeners.push(listener);
  }

  send(request: SfuRequestInit): void {
    this.socket.send(encodeSfuRequest(request));
  }

  sendRaw(bytes: Uint8Array): void {
    this.socket.send(bytes);
  }

  /** Sends the JoinRequest and waits for join_response or error. */
  async join(request: JoinRequest): Promise<SfuEvent> {
    this.send({ joinRequest: request });
    return this.next((e) => e.eventPayload === 'joinResponse' || e.eventPayload === 'error');
  }

  /** Resolves with the first event (already received or future) of `kind` matching `where`. */
  waitFor(kind: SfuEventKind, where: (event: SfuEvent) => boolean = () => true): Promise<SfuEvent> {
    return this.next((e) => e.eventPayload === kind && where(e));
  }

  /** Like waitFor, but only events arriving after the call. */
  nextOf(kind: SfuEventKind, where: (event: SfuEvent) => boolean = () => true): Promise<SfuEvent> {
    return this.next((e) => e.eventPayload === kind && where(e), this.events.length);
  }

  count(kind: SfuEventKind): number {
    return this.events.filter((e) => e.eventPayload === kind).length;
  }

  close(code = 1000, reason = ''): Promise<CloseInfo> {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.close(code, reason);
    return this.closed;
  }

  terminate(): Promise<CloseInfo> {
    this.socket.terminate();
    return this.closed;
  }

  private next(match: (event: SfuEvent) => boolean, from = 0): Promise<SfuEvent> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.events.slice(from).find(match);
        if (found) resolve(found);
        return found !== undefined;
      };
      const wait = () => {
        if (!check()) this.waiters.push(wait);
      };
      void this.closed.then(() => {
        if (!check()) reject(new Error('socket closed before the expected event'));
      });
      wait();
    });
  }
}
