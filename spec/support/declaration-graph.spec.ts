import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageOf, reachableDeclarations } from './declaration-graph.js';

describe('support: the declaration graph a consumer type-checks', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxsfu-dts-'));
    mkdirSync(join(dir, 'rtc'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);

  it('finds a werift import three hops away, through re-exports, index folders and import() types', () => {
    write('index.d.ts', "export * from './call.js';\nexport type { X } from './rtc/index.js';\n");
    write('call.d.ts', "import { Observable } from 'rxjs';\nexport declare const c: Observable<import('./packet.js').P>;\n");
    write('packet.d.ts', "export interface P { raw: import('werift/lib/rtp').RtpPacket }\n");
    write('rtc/index.d.ts', "/// <reference types=\"node\" />\nexport type X = number;\n");
    write('unreached.d.ts', "import type { RTCPeerConnection } from 'werift';\n");
    const files = reachableDeclarations([join(dir, 'index.d.ts')]);
    const byName = Object.fromEntries(files.map((f) => [f.path.slice(dir.length + 1), f.externals]));
    expect(byName).to.deep.equal({
      'index.d.ts': [], 'call.d.ts': ['rxjs'], 'rtc/index.d.ts': ['node'], 'packet.d.ts': ['werift/lib/rtp'],
    });
    expect(packageOf('werift/lib/rtp')).to.equal('werift');
    expect(packageOf('@types/ws/index')).to.equal('@types/ws');
  });
});
