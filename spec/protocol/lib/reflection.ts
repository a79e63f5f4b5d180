/**
 * protos/ loaded at run time by protobufjs reflection, with the proto field names kept as written
 * (snake_case), so the specs compare the .proto source itself rather than the generated code.
 */
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { repoRoot } from './wire-facts.js';

export const protosDir = join(repoRoot, 'protos');
export const protoFiles = [
  'stream/video/sfu/models/models.proto',
  'stream/video/sfu/event/events.proto',
  'stream/video/sfu/signal_rpc/signal.proto',
];

/** Loads protos/ with `protobuf.loadSync` semantics and the root path `protos/`. */
export function loadProtos(options: { keepCase: boolean }): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(protosDir, target);
  root.loadSync(protoFiles, { keepCase: options.keepCase });
  root.resolveAll();
  return root;
}
