/**
 * Where `participant_migration_complete` arrives, pinned against the official JavaScript client
 * (`@stream-io/video-client`): its own `StreamSfuClient`s and `Dispatcher` run against the
 * emulator. The official client waits for the event with `enterMigration()` on the signaling
 * client being LEFT, whose listener only hears what that client's own socket received (the
 * dispatcher routes by tag). So a migration completes for the official client only if the SFU says
 * it on the old socket, which is what Stream's SFU does (BEHAVIOUR.md, MIGRATE) and what this spec
 * holds the emulator to: sent on the new socket, the official migration times out.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { StreamSfuClient, SfuEvents, SfuModels } from '@stream-io/video-client';
import { credentialsFor, type Credentials } from './support/fixture.js';
import { keepOfficial, officialDispatcher, useOfficialClient, type OfficialDispatcher } from './support/official-client.js';

type OfficialSfuClient = InstanceType<typeof StreamSfuClient>;

describe('emulator MIGRATE, checked with the official client (participant_migration_complete on the old socket)', function () {
  this.timeout(30000);
  const t = useOfficialClient({ sfuCount: 2 });

  function officialSfuClient(dispatcher: OfficialDispatcher, credentials: Credentials, sessionId: string, tag: string): OfficialSfuClient {
    const client = new StreamSfuClient({
      dispatcher,
      credentials: credentials as never,
      sessionId,
      cid: 'default:demo',
      tag,
      streamClient: t().video.streamClient,
      enableTracing: false,
    });
    keepOfficial(t(), client);
    return client;
  }

  it('enterMigration() on the old signaling client resolves once the new one joined the other SFU', async () => {
    const dispatcher = officialDispatcher(t().video);
    const sessionId = randomUUID();
    const first = await credentialsFor(t().emu, 'alice');
    const old = officialSfuClient(dispatcher, first, sessionId, '0');
    await old.join(SfuEvents.JoinRequest.create({}));

    // As the official Call.reconnectMigrate: listen on the old client, then join elsewhere.
    const migrated = old.enterMigration({ timeout: 7000 });
    const second = await credentialsFor(t().emu, 'alice', 'demo', { create: true, migrating_from: first.server.edge_name });
    expect(second.server.edge_name).to.not.equal(first.server.edge_name);
    const moved = officialSfuClient(dispatcher, second, sessionId, '1');
    await moved.join(SfuEvents.JoinRequest.create({
      reconnectDetails: {
        strategy: SfuModels.WebsocketReconnectStrategy.MIGRATE,
        fromSfuId: first.server.edge_name,
        announcedTracks: [],
        subscriptions: [],
        reconnectAttempt: 1,
        previousSessionId: '',
        reason: 'spec',
      },
    }));
    await migrated;
    expect(t().emu.liveSessions().find((s) => s.sessionId === sessionId)).to.include({ sfuId: second.server.edge_name });
  });
});
