import { expect } from 'chai';
import { createServer } from 'node:net';
import { resourceBaseline, resourceCounts, resourceGrowth } from './resources.js';

describe('spec support: resource leak check', () => {
  it('reports a timer left behind, by type, and nothing once it is cleared', async () => {
    const before = await resourceBaseline();
    const leaked = setTimeout(() => undefined, 60_000);
    try {
      expect(await resourceGrowth(before, 50)).to.deep.equal({ Timeout: 1 });
    } finally {
      clearTimeout(leaked);
    }
    expect(await resourceGrowth(before)).to.deep.equal({});
  });

  it('does not fail when a resource older than the baseline goes away during the test', async () => {
    const older = setTimeout(() => undefined, 60_000);
    const before = await resourceBaseline();
    clearTimeout(older);
    expect(resourceCounts().Timeout).to.be.below(before.Timeout!);
    expect(await resourceGrowth(before)).to.deep.equal({});
  });

  it('watches only the types of its baseline, and waits for a server that closes late', async () => {
    const before = await resourceBaseline(['TCPServerWrap']);
    expect(before).to.have.all.keys('TCPServerWrap');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const timer = setTimeout(() => undefined, 60_000); // not watched here
    try {
      expect(await resourceGrowth(before, 50)).to.deep.equal({ TCPServerWrap: 1 });
      server.close(); // the handle leaves the list a turn later: the check must wait for it
      expect(await resourceGrowth(before)).to.deep.equal({});
    } finally {
      clearTimeout(timer);
    }
  });
});
