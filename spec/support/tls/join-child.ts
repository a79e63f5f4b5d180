/**
 * Run in a child process by the TLS spec, with NODE_EXTRA_CA_CERTS naming the loopback test
 * certificate (Node reads it only at start-up): joins with the JSON options in argv[2], leaves,
 * and prints `{ joined }` or `{ code }` as one JSON line.
 */
import { joinCall } from '../../../lib/call/index.js';
import { isRxsfuError } from '../../../lib/errors.js';

const options = JSON.parse(process.argv[2] ?? '{}');
try {
  const call = await joinCall(options);
  const sfuId = call.currentConnection?.sfuId;
  await call.leave('tls spec done');
  console.log(JSON.stringify({ joined: sfuId }));
} catch (err) {
  console.log(JSON.stringify({ code: isRxsfuError(err) ? err.code : String(err) }));
}
