/**
 * The published shape: `npm run build` (prepack, run by `npm pack`) produces dist/, and the exports
 * map resolves `rxsfu`, `rxsfu/protocol` and `rxsfu/emulator` from plain Node ESM (no tsx), as a
 * user's project would.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packedTarball } from './support/packed.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('package (build output and exports map)', function () {
  this.timeout(120_000);
  let project: string;

  before(() => {
    packedTarball(); // builds dist/ (prepack), once for this spec and package-tarball.spec.ts
    project = mkdtempSync(join(tmpdir(), 'rxsfu-consumer-'));
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(root, join(project, 'node_modules', 'rxsfu'), 'dir');
  });
  after(() => rmSync(project, { recursive: true, force: true }));

  it('resolves the three entry points and they work without TypeScript tooling', () => {
    writeFileSync(join(project, 'consumer.mjs'), [
      "import { joinCall, joinCall$, TrackType, RxsfuError } from 'rxsfu';",
      "import { encodeSfuEvent, decodeSfuEvent } from 'rxsfu/protocol';",
      "import { startEmulator } from 'rxsfu/emulator';",
      "const frame = decodeSfuEvent(encodeSfuEvent({ joinResponse: { fastReconnectDeadlineSeconds: 7 } }));",
      'console.log(JSON.stringify({ joinCall: typeof joinCall, joinCall$: typeof joinCall$, audio: TrackType.TRACK_TYPE_AUDIO,',
      "  err: new RxsfuError('RXSFU_ERR_LEFT', 'x').code, kind: frame.eventPayload, deadline: frame.joinResponse.fastReconnectDeadlineSeconds,",
      '  emulator: typeof startEmulator }));',
    ].join('\n'));
    const out = execFileSync(process.execPath, ['consumer.mjs'], { cwd: project, encoding: 'utf8' });
    expect(JSON.parse(out)).to.deep.equal({
      joinCall: 'function', joinCall$: 'function', audio: 1, err: 'RXSFU_ERR_LEFT', kind: 'joinResponse', deadline: 7, emulator: 'function',
    });
  });

  it('the built package reports package.json\'s version: VERSION from the root, and clientDetails in every JoinRequest', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    writeFileSync(join(project, 'version.mjs'), [
      "import { VERSION } from 'rxsfu';",
      // The built join-request module itself (the exports map hides it from package imports).
      `const { buildJoinRequest } = await import(${JSON.stringify(pathToFileURL(join(root, 'dist/lib/call/join-request.js')).href)});`,
      "const details = buildJoinRequest({ token: 't', sessionId: 's', unifiedSessionId: 'u', publisherSdp: '', subscriberSdp: '' }).clientDetails;",
      'console.log(JSON.stringify({ VERSION, sdk: [details.sdk.major, details.sdk.minor, details.sdk.patch].join("."), browser: details.browser.version }));',
    ].join('\n'));
    const out = execFileSync(process.execPath, ['version.mjs'], { cwd: project, encoding: 'utf8' });
    expect(version).to.match(/^\d+\.\d+\.\d+/);
    expect(JSON.parse(out)).to.deep.equal({ VERSION: version, sdk: version, browser: version });
  });

  it('ships type declarations for each entry point', () => {
    for (const entry of ['index', 'protocol/index', 'emulator/index']) {
      expect(() => execFileSync('test', ['-f', join(root, 'dist/lib', `${entry}.d.ts`)])).not.to.throw();
    }
  });
});
