import { expect } from 'chai';
import { createServer } from 'node:net';
import { resourceBaseline, resourceCounts, resourceGrowth } from './resources.js';

describe('spec support: resource leak check', () => {
  it('reports a timer left behind, by type, and nothing once it is cleared', async () => {
    const before = await resourceBaseline();
    // Ten, not one: in the full suite an earlier spec's timer may expire during this check, and
    // one leak could then be hidden by that drop (the count is per type, not per timer).
    const leaked = Array.from({ length: 10 }, () => setTimeout(() => undefined, 60_000));
    try {
      const growth = await resourceGrowth(before, 50);
      expect(Object.keys(growth)).to.deep.equal(['Timeout']);
      expect(growth.Timeout).to.be.at.least(1);
    } finally {
      leaked.forEach(clearTimeout);
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
