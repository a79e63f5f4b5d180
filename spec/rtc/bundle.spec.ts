/** max-bundle offers (issue 9 item 6): which offers `bundleProblem` refuses, and which it lets through. */
import { expect } from 'chai';
import { bundleProblem } from '../../lib/rtc/index.js';

const sdp = (group: string | undefined, ...sections: string[]) =>
  ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 't=0 0', ...(group === undefined ? [] : [`a=group:BUNDLE${group}`]), ...sections].join('\r\n') + '\r\n';
const audio = (mid: string, port = 9) => `m=audio ${port} UDP/TLS/RTP/SAVPF 111\r\na=mid:${mid}`;
const video = (mid: string, port = 9) => `m=video ${port} UDP/TLS/RTP/SAVPF 96\r\na=mid:${mid}`;

describe('rtc/bundle (max-bundle offers)', () => {
  it('accepts an offer whose BUNDLE group names every live section, or that has a single section', () => {
    expect(bundleProblem(sdp(' 0 1', audio('0'), video('1')))).to.equal(undefined);
    expect(bundleProblem(sdp(undefined, audio('0')))).to.equal(undefined);
    expect(bundleProblem(sdp(' 0', audio('0'), video('1', 0))), 'a rejected section (port 0) needs no transport').to.equal(undefined);
  });

  it('names the sections a BUNDLE group leaves out, and refuses several sections without any group', () => {
    expect(bundleProblem(sdp(' 0', audio('0'), video('1')))).to.equal('BUNDLE group leaves out media section(s) 1');
    expect(bundleProblem(sdp(undefined, audio('0'), video('1')))).to.equal('no BUNDLE group for 2 media sections');
    expect(bundleProblem(sdp('', audio('0'), video('1')))).to.equal('BUNDLE group leaves out media section(s) 0, 1');
  });
});
