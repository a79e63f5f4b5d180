/**
 * The package as a user installs it: `npm pack` (prepack builds dist/), the tarball unpacked into a
 * temporary project's node_modules next to rxsfu's runtime dependencies only (the production
 * closure, linked from this checkout: no registry, no devDependency), a consumer type-checked under
 * `strict` without `skipLibCheck`, then run against the emulator: join, receive RTP, leave.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinModules } from 'node:module';
import { packageOf, reachableDeclarations } from './support/declaration-graph.js';
import { packedTarball } from './support/packed.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modules = join(root, 'node_modules');

interface Manifest { name: string; version: string; dependencies?: Record<string, string>; peerDependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }
const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** Every package a production install of rxsfu (with its peer rxjs) contains, from this checkout's hoisted node_modules. */
function productionClosure(): string[] {
  const own = manifest(root);
  const queue = [...Object.keys(own.dependencies ?? {}), ...Object.keys(own.peerDependencies ?? {})];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name) || !existsSync(join(modules, name, 'package.json'))) continue;
    seen.add(name);
    const m = manifest(join(modules, name));
    queue.push(...Object.keys(m.dependencies ?? {}), ...Object.keys(m.optionalDependencies ?? {}));
  }
  return [...seen].sort();
}

const CONSUMER = `
import { joinCall, VERSION, type Call, type CallRemoteTrack, type RtpPacket } from 'rxsfu';
import { startEmulator } from 'rxsfu/emulator';
import { decodeSfuEvent, encodeSfuEvent } from 'rxsfu/protocol';
import { firstValueFrom, filter, take, mergeMap } from 'rxjs';

const emu = await startEmulator();
await emu.addParticipant({ callId: 'tarball', userId: 'human', audio: true });
const call: Call = await joinCall(emu.agentOptions('agent', 'tarball'));
const packet: RtpPacket = await firstValueFrom(call.remoteTracks$.pipe(
  filter((t: CallRemoteTrack) => t.kind === 'audio'),
  mergeMap((t) => t.rtp$),
  take(1),
));
const frame = decodeSfuEvent(encodeSfuEvent({ joinResponse: { fastReconnectDeadlineSeconds: 3 } }));
await call.leave('tarball consumer done');
await emu.close();
console.log(JSON.stringify({ VERSION, payloadBytes: packet.payload.length, state: call.state, kind: frame.eventPayload }));
`;

describe('package: the packed tarball installs, type-checks under strict and runs', function () {
  this.timeout(240_000);
  let project: string;
  let tarball: string;

  before(() => {
    project = mkdtempSync(join(tmpdir(), 'rxsfu-tarball-'));
    tarball = packedTarball();
    const installed = join(project, 'node_modules', 'rxsfu');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['xzf', tarball, '-C', installed, '--strip-components=1']);
    for (const name of productionClosure()) {
      mkdirSync(dirname(join(project, 'node_modules', name)), { recursive: true });
      symlinkSync(join(modules, name), join(project, 'node_modules', name), 'dir');
    }
    // The consumer's own dev setup: Node's types (its choice), nothing of rxsfu's devDependencies.
    mkdirSync(join(project, 'node_modules/@types'), { recursive: true });
    if (!existsSync(join(project, 'node_modules/@types/node'))) symlinkSync(join(modules, '@types/node'), join(project, 'node_modules/@types/node'), 'dir');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    writeFileSync(join(project, 'consumer.ts'), CONSUMER);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, types: ['node'], outDir: 'out' },
      files: ['consumer.ts'],
    }));
  });
  after(() => rmSync(project, { recursive: true, force: true }));

  it('ships what a package needs and nothing of the checkout: dist, bin, LICENSE, CHANGELOG; no source maps, no specs', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    for (const needed of ['package.json', 'LICENSE', 'CHANGELOG.md', 'README.md', 'bin/rxsfu.mjs', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lib/cli/main.js']) {
      expect(files, needed).to.include(needed);
    }
    expect(files.filter((f) => f.endsWith('.map')), 'source maps without their sources').to.deep.equal([]);
    expect(files.filter((f) => f.startsWith('spec/') || f.startsWith('lib/')), 'no sources or specs').to.deep.equal([]);
    const packed = JSON.parse(readFileSync(join(project, 'node_modules/rxsfu/package.json'), 'utf8')) as Manifest & { devDependencies?: object };
    expect(packed.peerDependencies).to.have.property('rxjs');
    expect(packed.dependencies).to.not.have.property('rxjs');
  });

  it('no public declaration reachable from an entry point imports werift; the others import only dependencies and Node', () => {
    const installed = join(project, 'node_modules/rxsfu');
    const packed = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Manifest & { exports: Record<string, { types: string }> };
    const entries = Object.values(packed.exports).map((e) => join(installed, e.types));
    const files = reachableDeclarations(entries);
    expect(files.length, 'the whole public surface is walked').to.be.greaterThan(50);
    const weriftUsers = files.filter((f) => f.externals.some((s) => packageOf(s) === 'werift')).map((f) => f.path.slice(installed.length + 1));
    expect(weriftUsers, 'declarations importing werift').to.deep.equal([]);
    const allowed = new Set([...Object.keys(packed.dependencies ?? {}), ...Object.keys(packed.peerDependencies ?? {})]);
    const isBuiltin = (s: string) => s.startsWith('node:') || builtinModules.includes(packageOf(s));
    const strangers = files.flatMap((f) => f.externals.filter((s) => !isBuiltin(s) && !allowed.has(packageOf(s)) && !allowed.has(`@types/${packageOf(s)}`)));
    expect(strangers, 'imports of packages a consumer does not get with rxsfu').to.deep.equal([]);
  });

  it('a consumer type-checks under strict without skipLibCheck, with no devDependency of rxsfu installed', () => {
    expect(existsSync(join(project, 'node_modules/@stream-io')), 'no devDependency in the install').to.equal(false);
    const tsc = join(modules, '.bin/tsc');
    try {
      execFileSync(tsc, ['-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      throw new Error(`tsc failed:\n${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`);
    }
  });

  it('the consumer runs against the emulator: joins, receives RTP, leaves; VERSION is the package version', () => {
    const out = execFileSync(process.execPath, ['out/consumer.js'], { cwd: project, encoding: 'utf8' });
    const result = JSON.parse(out.trim().split('\n').at(-1)!) as { VERSION: string; payloadBytes: number; state: string; kind: string };
    expect(result).to.deep.include({ VERSION: manifest(root).version, state: 'left', kind: 'joinResponse' });
    expect(result.payloadBytes).to.be.greaterThan(0);
  });
});
